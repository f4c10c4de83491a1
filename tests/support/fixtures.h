// Shared helpers for the parity tests: where the golden fixtures are, how to read their weights and
// how to compare tensors.
#pragma once
#include <ATen/core/Tensor.h>
#include <gtest/gtest.h>

#include <stdexcept>

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
// max|a - b| in float64 (a test failure, and +inf, when the shapes differ).
double max_abs_diff(const at::Tensor& a, const at::Tensor& b);
// Checks max|ours - ref| <= tol and prints it (the measured error is worth seeing, not only the verdict).
void expect_max_abs(const at::Tensor& ours, const at::Tensor& ref, double tol, const std::string& what);

// Expects `fn` to throw a std::runtime_error whose message contains `needle` (e.g. the file it names).
template <typename Fn>
void expect_error_naming(Fn fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one naming " << needle;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace sinsr::test
