// 1x1 convolutions through oneDNN. LibTorch sends single-threaded 1x1 convs to its im2col+BLAS path
// ("THNN is faster when single-threaded"); measured here it is 4.4x slower than oneDNN with OpenBLAS and
// 40x slower with Debian's reference BLAS. The Swin MLPs and patch (un)embeddings are all 1x1 convs.
#pragma once
#include <torch/nn/modules/conv.h>

namespace sinsr::nn {

// conv->forward(x), but through oneDNN when that applies (CPU float32, 1x1 kernel, stride 1, no padding,
// no groups); the result differs only by float32 rounding. Differentiable either way.
torch::Tensor conv1x1(const torch::nn::Conv2d& conv, const torch::Tensor& x);

}  // namespace sinsr::nn
