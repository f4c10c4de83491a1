#include "core/nn/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/util/errors.h"

namespace sinsr {

Precision parse_precision(const std::string& value, const std::string& key) {
  if (value == "fp32") return Precision::Fp32;
  if (value == "bf16") return Precision::Bf16;
  if (value == "fp16") return Precision::Fp16;
  throw UsageError(key + " takes fp32, bf16 or fp16, not '" + value + "'");
}

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::Bf16: return "bf16";
    case Precision::Fp16: return "fp16";
    default: return "fp32";
  }
}

void check_precision(Precision p, const c10::Device& device, const std::string& key) {
  if (p == Precision::Fp16 && !device.is_cuda())
    throw UsageError(key + " = fp16 on the CPU: CPUs compute half precision in bf16; use " + key + "=bf16 (or a GPU)");
}

at::ScalarType first_stage_dtype(Precision p, const c10::Device& device) {
  if (p == Precision::Fp32) return at::kFloat;
  return device.is_cuda() ? at::kHalf : at::kBFloat16;
}

at::ScalarType autocast_dtype(Precision p) { return p == Precision::Bf16 ? at::kBFloat16 : at::kHalf; }

namespace {

// LibTorch 2.x names the autocast state by device type; 1.13 has one set of functions per device.

bool autocast_enabled(c10::DeviceType type) {
#if TORCH_VERSION_MAJOR >= 2
  return at::autocast::is_autocast_enabled(type);
#else
  return type == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

at::ScalarType autocast_region_dtype(c10::DeviceType type) {
#if TORCH_VERSION_MAJOR >= 2
  return at::autocast::get_autocast_dtype(type);
#else
  return type == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

void set_autocast(c10::DeviceType type, bool enabled, at::ScalarType dtype) {
#if TORCH_VERSION_MAJOR >= 2
  at::autocast::set_autocast_enabled(type, enabled);
  at::autocast::set_autocast_dtype(type, dtype);
#else
  if (type == c10::DeviceType::CPU) {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  } else {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  }
#endif
}

}  // namespace

Autocast::Autocast(const c10::Device& device, Precision p) {
  if (p == Precision::Fp32) return;
  active_ = true;
  type_ = device.type();
  prev_enabled_ = autocast_enabled(type_);
  prev_dtype_ = autocast_region_dtype(type_);
  set_autocast(type_, true, autocast_dtype(p));
  at::autocast::increment_nesting();
}

Autocast::~Autocast() {
  if (!active_) return;
  // Like torch.autocast's __exit__: the cache of weights cast for this region goes with the outermost region.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(type_, prev_enabled_, prev_dtype_);
}

}  // namespace sinsr
