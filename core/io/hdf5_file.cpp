#include "core/io/hdf5_file.h"

#include <ATen/ATen.h>
#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace sinsr::io {

namespace {

// Closes an HDF5 handle on scope exit.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

at::ScalarType dtype_of(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) return size == 8 ? at::kDouble : size == 4 ? at::kFloat : at::kHalf;
  if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    if (size == 8) return at::kLong;
    if (size == 4) return at::kInt;
    if (size == 2) return at::kShort;
    if (size == 1) return is_signed ? at::kChar : at::kByte;
  }
  if (cls == H5T_ENUM && size == 1) return at::kBool;  // h5py stores bool as an int8 enum
  throw std::runtime_error("unsupported HDF5 datatype");
}

hid_t memory_type(at::ScalarType t) {
  switch (t) {
    case at::kDouble: return H5T_NATIVE_DOUBLE;
    case at::kFloat: return H5T_NATIVE_FLOAT;
    case at::kLong: return H5T_NATIVE_INT64;
    case at::kInt: return H5T_NATIVE_INT32;
    case at::kShort: return H5T_NATIVE_INT16;
    case at::kChar: return H5T_NATIVE_INT8;
    case at::kByte: return H5T_NATIVE_UINT8;
    case at::kBool: return H5T_NATIVE_INT8;
    default: throw std::runtime_error("unsupported tensor dtype for HDF5");
  }
}

// Once per process, before any other HDF5 call: errors come back as return codes (reported by us, naming
// the file), and the library registers no atexit clean-up. That clean-up re-closes a file whose H5Fclose
// failed (a full disk) and crashes in H5F__close_cb; every file is closed explicitly here anyway.
void init_hdf5() {
  static const bool done = [] {
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

// The system's reason for the last failed write, if HDF5's I/O left one in errno.
std::string io_reason() { return errno != 0 ? std::strerror(errno) : "I/O error"; }

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

}  // namespace

H5Reader::H5Reader(const std::string& path) : path_(path) {
  init_hdf5();
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) throw std::runtime_error("cannot open HDF5 file '" + path + "' (missing, unreadable or corrupt)");
}

H5Reader::~H5Reader() {
  if (file_ >= 0) H5Fclose(file_);
}

void H5Reader::fail(const std::string& what) const { throw std::runtime_error("HDF5 file '" + path_ + "': " + what); }

bool H5Reader::exists(const std::string& object) const {
  // Check each path component: H5Lexists fails on a missing intermediate group.
  size_t pos = 0;
  while (true) {
    size_t slash = object.find('/', pos);
    std::string prefix = object.substr(0, slash);
    if (!prefix.empty() && H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    pos = slash + 1;
  }
}

at::Tensor H5Reader::read(const std::string& dataset) const { return read_rows(dataset, 0, -1); }

at::Tensor H5Reader::read_rows(const std::string& dataset, int64_t first, int64_t count) const {
  Handle ds{H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + dataset + "'");
  Handle type{H5Dget_type(ds.id), H5Tclose};
  Handle space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  at::ScalarType dtype;
  try {
    dtype = dtype_of(type.id);
  } catch (const std::exception& e) {
    fail("dataset '" + dataset + "': " + e.what());
  }
  hid_t file_space = H5S_ALL, mem_space = H5S_ALL;
  Handle mem{-1, H5Sclose};
  if (count >= 0) {  // rows [first, first + count) of the first dimension
    if (rank < 1 || first < 0 || static_cast<hsize_t>(first + count) > dims[0])
      fail("dataset '" + dataset + "': rows " + std::to_string(first) + "+" + std::to_string(count) + " out of range");
    std::vector<hsize_t> start(dims.size(), 0);
    start[0] = static_cast<hsize_t>(first);
    dims[0] = static_cast<hsize_t>(count);
    H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start.data(), nullptr, dims.data(), nullptr);
    mem.id = H5Screate_simple(rank, dims.data(), nullptr);
    file_space = space.id, mem_space = mem.id;
  }
  const at::ScalarType load_as = dtype == at::kHalf ? at::kFloat : dtype;
  at::Tensor out = at::empty(std::vector<int64_t>(dims.begin(), dims.end()), at::TensorOptions().dtype(load_as));
  if (out.numel() > 0 && H5Dread(ds.id, memory_type(load_as), mem_space, file_space, H5P_DEFAULT, out.data_ptr()) < 0)
    fail("cannot read dataset '" + dataset + "' (corrupt file or checksum error)");
  return out;
}

std::vector<std::string> H5Reader::members(const std::string& group) const {
  Handle g{H5Gopen2(file_, group.c_str(), H5P_DEFAULT), H5Gclose};
  if (g.id < 0) fail("no group '" + group + "'");
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Literate(g.id, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect_name, &names) < 0) {
    names.clear();
    idx = 0;
    if (H5Literate(g.id, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &names) < 0)
      fail("cannot list group '" + group + "'");
  }
  return names;
}

bool H5Reader::has_attr(const std::string& object, const std::string& name) const {
  return H5Aexists_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::string H5Reader::attr_string(const std::string& object, const std::string& name) const {
  Handle a{H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) fail("no attribute '" + name + "' on '" + object + "'");
  Handle type{H5Aget_type(a.id), H5Tclose};
  if (H5Tget_class(type.id) != H5T_STRING) fail("attribute '" + name + "' on '" + object + "' is not a string");
  if (H5Tis_variable_str(type.id) > 0) {
    Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
    H5Tset_size(mem.id, H5T_VARIABLE);
    H5Tset_cset(mem.id, H5Tget_cset(type.id));
    char* s = nullptr;
    if (H5Aread(a.id, mem.id, &s) < 0) fail("cannot read attribute '" + name + "'");
    std::string out = s ? s : "";
    H5free_memory(s);
    return out;
  }
  const size_t size = H5Tget_size(type.id);
  std::string out(size, '\0');
  if (H5Aread(a.id, type.id, out.data()) < 0) fail("cannot read attribute '" + name + "'");
  return out.substr(0, out.find('\0'));
}

double H5Reader::attr_double(const std::string& object, const std::string& name) const {
  Handle a{H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) fail("no attribute '" + name + "' on '" + object + "'");
  double v = 0;
  if (H5Aread(a.id, H5T_NATIVE_DOUBLE, &v) < 0) fail("attribute '" + name + "' on '" + object + "' is not numeric");
  return v;
}

std::vector<double> H5Reader::attr_doubles(const std::string& object, const std::string& name) const {
  Handle a{H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) fail("no attribute '" + name + "' on '" + object + "'");
  Handle space{H5Aget_space(a.id), H5Sclose};
  const hssize_t n = H5Sget_simple_extent_npoints(space.id);
  std::vector<double> v(static_cast<size_t>(std::max<hssize_t>(n, 0)));
  if (n < 0 || H5Aread(a.id, H5T_NATIVE_DOUBLE, v.data()) < 0)
    fail("attribute '" + name + "' on '" + object + "' is not numeric");
  return v;
}

bool H5Reader::attr_is_string(const std::string& object, const std::string& name) const {
  Handle a{H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) fail("no attribute '" + name + "' on '" + object + "'");
  Handle type{H5Aget_type(a.id), H5Tclose};
  return H5Tget_class(type.id) == H5T_STRING;
}

H5Writer::H5Writer(const std::string& path) : path_(path) {
  init_hdf5();
  errno = 0;
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw std::runtime_error(path + ": cannot create HDF5 file: " + io_reason());
}

H5Writer::~H5Writer() {
  for (auto& [name, id] : datasets_) H5Dclose(id);
  if (file_ >= 0) H5Fclose(file_);
}

void H5Writer::fail(const std::string& what) const { throw std::runtime_error(path_ + ": " + what); }

int64_t H5Writer::dataset(const std::string& name) const {
  for (const auto& [n, id] : datasets_)
    if (n == name) return id;
  fail("no dataset '" + name + "' created");
}

void H5Writer::create_dataset(const std::string& name, at::ScalarType dtype, const std::vector<int64_t>& dims) {
  std::vector<hsize_t> d(dims.begin(), dims.end()), chunk(d);
  chunk[0] = 1;
  Handle space{H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr), H5Sclose};
  Handle props{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  if (H5Pset_chunk(props.id, static_cast<int>(chunk.size()), chunk.data()) < 0 || H5Pset_fletcher32(props.id) < 0)
    fail("cannot set up dataset '" + name + "'");
  const hid_t id = H5Dcreate2(file_, name.c_str(), memory_type(dtype), space.id, H5P_DEFAULT, props.id, H5P_DEFAULT);
  if (id < 0) fail("cannot create dataset '" + name + "'");
  datasets_.emplace_back(name, id);
}

void H5Writer::write_rows(const std::string& name, int64_t first_row, const at::Tensor& rows) {
  const hid_t id = dataset(name);
  const at::Tensor data = rows.contiguous();
  Handle file_space{H5Dget_space(id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(file_space.id);
  if (rank != data.dim()) fail("dataset '" + name + "': rank mismatch");
  std::vector<hsize_t> start(static_cast<size_t>(rank), 0), count(data.sizes().begin(), data.sizes().end());
  start[0] = static_cast<hsize_t>(first_row);
  if (H5Sselect_hyperslab(file_space.id, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0)
    fail("dataset '" + name + "': rows out of range");
  Handle mem_space{H5Screate_simple(rank, count.data(), nullptr), H5Sclose};
  errno = 0;
  if (H5Dwrite(id, memory_type(data.scalar_type()), mem_space.id, file_space.id, H5P_DEFAULT, data.data_ptr()) < 0)
    fail("cannot write dataset '" + name + "': " + io_reason());
}

void H5Writer::set_attr(const std::string& name, const std::string& value) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle a{H5Acreate2(file_, name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  const char* p = value.c_str();
  if (a.id < 0 || H5Awrite(a.id, type.id, &p) < 0) fail("cannot write attribute '" + name + "'");
}

void H5Writer::set_attr(const std::string& name, int64_t value) {
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle a{H5Acreate2(file_, name.c_str(), H5T_STD_I64LE, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (a.id < 0 || H5Awrite(a.id, H5T_NATIVE_INT64, &value) < 0) fail("cannot write attribute '" + name + "'");
}

void H5Writer::close() {
  for (auto& [name, id] : datasets_) H5Dclose(id);
  datasets_.clear();
  if (file_ >= 0) {
    errno = 0;
    const herr_t rc = H5Fclose(file_);
    file_ = -1;
    if (rc < 0) fail("cannot write: " + io_reason());
  }
}

}  // namespace sinsr::io
