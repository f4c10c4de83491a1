#include "tests/support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/util/json.h"

namespace sinsr::test {

std::string parity_dir() {
  const char* env = std::getenv("SINSR_PARITY_DIR");
  return env && *env ? env : "tests/fixtures/parity";
}

std::vector<std::string> fixture_files(const std::string& prefix, const std::string& suffix) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  const fs::path dir = parity_dir();
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(prefix, 0) == 0 && name.size() >= suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        out.push_back(e.path().string());
    }
  std::sort(out.begin(), out.end());
  EXPECT_FALSE(out.empty()) << "no " << prefix << "*" << suffix << " in " << dir << " (set SINSR_PARITY_DIR)";
  return out;
}

io::TensorDict read_state_dict_group(const io::H5Reader& h5, const std::string& group) {
  // The group's `keys` attribute holds the state_dict order; member order is only a fallback.
  std::vector<std::string> keys;
  if (h5.has_attr(group, "keys")) {
    const Json listed = Json::parse(h5.attr_string(group, "keys"));
    for (const Json& k : listed.as_array()) keys.push_back(k.as_string());
  } else {
    keys = h5.members(group);
  }
  io::TensorDict out;
  for (const std::string& key : keys) out.emplace_back(key, h5.read(group + "/" + key));
  return out;
}

std::vector<std::pair<std::string, io::TensorDict>> fixture_weight_sources(const io::H5Reader& h5) {
  const std::string pth = sibling(h5.path(), ".pth");
  return {{h5.path() + " (HDF5 state_dict group)", read_state_dict_group(h5)}, {pth, io::read_state_dict(pth)}};
}

void expect_pth_equals_hdf5_weights(const std::string& h5_path) {
  SCOPED_TRACE(h5_path);
  io::H5Reader h5(h5_path);
  auto from_h5 = read_state_dict_group(h5);
  auto from_pth = io::read_state_dict(sibling(h5_path, ".pth"));
  ASSERT_EQ(from_h5.size(), from_pth.size());
  for (size_t i = 0; i < from_h5.size(); ++i) {
    EXPECT_EQ(from_h5[i].first, from_pth[i].first);
    EXPECT_TRUE(from_h5[i].second.equal(from_pth[i].second)) << from_h5[i].first;
  }
}

std::string sibling(const std::string& path, const std::string& extension) {
  return std::filesystem::path(path).replace_extension(extension).string();
}

double max_rel_error(const at::Tensor& actual, const at::Tensor& expected) {
  EXPECT_EQ(actual.sizes(), expected.sizes());
  if (actual.sizes() != expected.sizes()) return INFINITY;
  auto a = actual.to(at::kDouble), e = expected.to(at::kDouble);
  const double scale = e.abs().max().item<double>();
  return (a - e).abs().max().item<double>() / std::max(scale, 1e-30);
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return INFINITY;
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

void expect_max_abs(const at::Tensor& ours, const at::Tensor& ref, double tol, const std::string& what) {
  const double e = max_abs_diff(ours, ref);
  std::cout << "  " << what << ": max abs error " << e << "\n";
  EXPECT_LE(e, tol) << what;
}

}  // namespace sinsr::test
