// Moving weights between a module and a (key, tensor) list, with the reference's strict-loading rules.
#pragma once
#include <torch/nn/module.h>

#include <string>

#include "core/io/pth.h"

namespace sinsr::io {

// Parameters and buffers in the reference's state_dict() order (each module's own parameters, then its own
// buffers, then its children's), keys as named by the module tree.
TensorDict module_state_dict(const torch::nn::Module& module);

// Copies `state` into the module's parameters and buffers (converting dtype if needed). Strict: any
// missing, unexpected or wrongly shaped key throws one std::runtime_error that names them all and `source`.
void load_state_dict_strict(torch::nn::Module& module, const TensorDict& state, const std::string& source);

// read_state_dict(path) + load_state_dict_strict.
void load_weights(torch::nn::Module& module, const std::string& path);

}  // namespace sinsr::io
