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
  // Rows [first, first + count) of the first dimension (one sample of a shard without reading the rest).
  at::Tensor read_rows(const std::string& dataset, int64_t first, int64_t count) const;
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

// A new HDF5 file (truncating any old one) with fixed-size datasets filled row by row: what pair shards
// need. Every dataset is chunked one row (sample) per chunk with the Fletcher32 checksum filter, so a
// corrupted sample fails to read instead of returning wrong values.
class H5Writer {
 public:
  explicit H5Writer(const std::string& path);  // throws std::runtime_error naming the file
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  // dims[0] is the number of rows; dtype uint8/int64/float32/float64.
  void create_dataset(const std::string& name, at::ScalarType dtype, const std::vector<int64_t>& dims);
  // rows: a CPU tensor of shape [n, dims[1:]...] written to rows [first_row, first_row + n).
  void write_rows(const std::string& name, int64_t first_row, const at::Tensor& rows);
  void set_attr(const std::string& name, const std::string& value);  // on the root group
  void set_attr(const std::string& name, int64_t value);
  // Flushes and closes; the destructor closes too, without reporting errors.
  void close();

 private:
  std::string path_;
  int64_t file_ = -1;  // hid_t
  std::vector<std::pair<std::string, int64_t>> datasets_;
  [[noreturn]] void fail(const std::string& what) const;
  int64_t dataset(const std::string& name) const;
};

}  // namespace sinsr::io
