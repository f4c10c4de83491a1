// Shared helpers for the parity tests: where the golden fixtures are, how to read their weights and
// how to compare tensors.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

#include "core/io/hdf5_file.h"
#include "core/io/pth.h"

namespace sinsr::test {

// $SINSR_PARITY_DIR, else tests/fixtures/parity (ctest runs from the source tree).
std::string parity_dir();
// Every "<prefix>*<suffix>" file in parity_dir(), sorted. Fails the calling test when there is none.
std::vector<std::string> fixture_files(const std::string& prefix, const std::string& suffix = ".h5");
// The file's "state_dict" group (or another group of that schema) as ordered (key, tensor) pairs.
io::TensorDict read_state_dict_group(const io::H5Reader& h5, const std::string& group = "state_dict");
// The two weight sources every network fixture carries: its HDF5 "state_dict" group and the sibling .pth
// (read with our .pth reader), labelled for messages.
std::vector<std::pair<std::string, io::TensorDict>> fixture_weight_sources(const io::H5Reader& h5);
// The sibling .pth holds exactly the HDF5 group's keys, in order, with identical values.
void expect_pth_equals_hdf5_weights(const std::string& h5_path);
// Same path with another extension: "x/unet_small.h5" -> "x/unet_small.pth".
std::string sibling(const std::string& path, const std::string& extension);

// max|actual - expected| / max|expected|: the error relative to the tensor's scale.
double max_rel_error(const at::Tensor& actual, const at::Tensor& expected);

}  // namespace sinsr::test
