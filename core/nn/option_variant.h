// LibTorch's module options hold variants (Conv2dOptions::padding_t, padding_mode_t): c10::variant in LibTorch 1.x
// (Debian's 1.13), std::variant in 2.x. One accessor for both.
#pragma once
#include <torch/version.h>

#include <variant>

namespace sinsr::nn {

// The alternative T of `v`, or nullptr when `v` holds another.
template <class T, class Variant>
const T* variant_if(const Variant& v) {
#if TORCH_VERSION_MAJOR >= 2
  return std::get_if<T>(&v);
#else
  return c10::get_if<T>(&v);
#endif
}

}  // namespace sinsr::nn
