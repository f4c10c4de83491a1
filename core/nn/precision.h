// Mixed precision, one policy for every stage (docs/design.md, "Precision"): the UNet computes under
// autocast (matmuls and convolutions in bf16/fp16, reductions and normalisations where autocast keeps them
// float32), the VQ autoencoder runs with half-precision weights like the reference's fp16 autoencoder, and
// everything else stays float32: master weights, AdamW, EMA, the diffusion arithmetic and every loss.
// Networks hand float32 back at their boundary, so callers never see a half tensor.
#pragma once
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace sinsr {

enum class Precision { Fp32, Bf16, Fp16 };

// "fp32", "bf16" or "fp16"; throws UsageError naming `key` otherwise.
Precision parse_precision(const std::string& value, const std::string& key);
const char* precision_name(Precision p);
// Usage error naming `key` when `p` cannot run on `device` (fp16 on a CPU: LibTorch's CPU autocast and
// fast CPU kernels are bf16 only).
void check_precision(Precision p, const c10::Device& device, const std::string& key);

// The dtype of the autoencoder's weights: float32 at Fp32; otherwise half as the reference runs it, float16
// on GPUs and bfloat16 on CPUs (which have no fast float16).
at::ScalarType first_stage_dtype(Precision p, const c10::Device& device);

// The dtype autocast computes in below float32: bfloat16 for Bf16, float16 for Fp16.
at::ScalarType autocast_dtype(Precision p);

// RAII autocast region on `device`'s type (torch.autocast); nothing at Fp32. Restores the previous state.
class Autocast {
 public:
  Autocast(const c10::Device& device, Precision p);
  ~Autocast();
  Autocast(const Autocast&) = delete;
  Autocast& operator=(const Autocast&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType type_ = c10::DeviceType::CPU;
  bool prev_enabled_ = false;
  at::ScalarType prev_dtype_ = at::kFloat;
};

}  // namespace sinsr
