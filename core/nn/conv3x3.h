// 3x3 convolutions through oneDNN's Winograd algorithm. F(4x4, 3x3) spends 4x fewer multiplications than a
// direct convolution; on an AVX-512 CPU (one thread) it runs the networks' 3x3 convs 2.3-2.8x faster than the
// direct kernels LibTorch picks, at a float32 error of ~1.5e-6 relative to the largest output (direct: ~2.5e-7),
// far inside the 1e-4 parity tolerance (docs/method.md §6.4).
#pragma once
#include <torch/nn/modules/conv.h>

namespace sinsr::nn {

// conv->forward(x), through Winograd where it applies and pays:
//   - the build's LibTorch runs on the system's oneDNN (Debian's does) and the CPU has AVX-512;
//   - CPU float32 input and weight, nothing needing a gradient (training keeps LibTorch's kernels);
//   - 3x3 kernel, stride 1, padding 1, no dilation or groups;
//   - at least 16 input channels and a feature map of at least 32x32 (smaller ones are faster direct).
// Anything else, or a shape oneDNN declines, runs conv->forward(x).
torch::Tensor conv3x3(const torch::nn::Conv2d& conv, const torch::Tensor& x);

// Whether this build and CPU can take the Winograd path at all.
bool winograd_available();
// On by default. Off makes conv3x3 exactly conv->forward: tests compare the two; nothing else turns it off.
void set_winograd_enabled(bool enabled);

}  // namespace sinsr::nn
