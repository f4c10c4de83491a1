// The one precompiled header of the project (see CMakeLists.txt): LibTorch's C++ frontend.
// Only the PCH includes <torch/torch.h>; ordinary headers include the narrow torch headers they need.
#pragma once
#include <torch/torch.h>
