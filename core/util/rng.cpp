#include "core/util/rng.h"

#include <ATen/CPUGeneratorImpl.h>

namespace sinsr {

at::Generator make_generator(uint64_t derived_seed) { return at::make_generator<at::CPUGeneratorImpl>(derived_seed); }

}  // namespace sinsr
