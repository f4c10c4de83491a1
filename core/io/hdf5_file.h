// A read-only view of an HDF5 file through the C API: datasets as tensors, attributes as scalars/strings,
// group members in creation order. Errors name the file and the object.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sinsr::io {

class H5Reader {
 public:
  explicit H5Reader(const std::string& path);  // throws std::runtime_error if it cannot be opened
  ~H5Reader();
  H5Reader(const H5Reader&) = delete;
  H5Reader& operator=(const H5Reader&) = delete;

  const std::string& path() const { return path_; }
  bool exists(const std::string& object) const;
  // float32/float64/int64/int32/uint8/bool datasets, same dtype and shape as stored.
  at::Tensor read(const std::string& dataset) const;
  // Member names of a group, in creation order when the file tracks it (h5py's track_order), else by name.
  std::vector<std::string> members(const std::string& group) const;

  bool has_attr(const std::string& object, const std::string& name) const;
  std::string attr_string(const std::string& object, const std::string& name) const;
  double attr_double(const std::string& object, const std::string& name) const;
  std::vector<double> attr_doubles(const std::string& object, const std::string& name) const;  // any numeric shape
  bool attr_is_string(const std::string& object, const std::string& name) const;

 private:
  std::string path_;
  int64_t file_ = -1;  // hid_t
  [[noreturn]] void fail(const std::string& what) const;
};

}  // namespace sinsr::io
