// Torch generators for counter-based randomness (core/util/seed.h).
#pragma once
#include <ATen/core/Generator.h>

#include "core/util/seed.h"

namespace sinsr {

// A CPU generator (mt19937) for that derived seed. Draws are made on the CPU and moved to the device,
// so CPU and GPU runs see the same noise.
at::Generator make_generator(uint64_t derived_seed);

}  // namespace sinsr
