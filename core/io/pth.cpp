#include "core/io/pth.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <map>
#include <stdexcept>

#include "core/io/pickle.h"
#include "core/util/atomic_file.h"

namespace sinsr::io {

namespace {

at::ScalarType storage_dtype(const std::string& storage_class) {
  static const std::map<std::string, at::ScalarType> kTypes = {
      {"torch.FloatStorage", at::kFloat},       {"torch.DoubleStorage", at::kDouble}, {"torch.HalfStorage", at::kHalf},
      {"torch.BFloat16Storage", at::kBFloat16}, {"torch.LongStorage", at::kLong},     {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort},       {"torch.CharStorage", at::kChar},     {"torch.ByteStorage", at::kByte},
      {"torch.BoolStorage", at::kBool},         {"torch.UntypedStorage", at::kByte},
  };
  auto it = kTypes.find(storage_class);
  if (it == kTypes.end()) throw std::runtime_error("unsupported storage type " + storage_class);
  return it->second;
}

std::vector<int64_t> int_tuple(const PyRef& t) {
  std::vector<int64_t> out;
  for (const auto& v : t->items) out.push_back(v->i);
  return out;
}

// Tensors: storage (a 1-D tensor), offset, size, stride. Copied out so they own compact memory.
PyRef rebuild_tensor(const PyRef& args) {
  const auto& a = args->items;
  if (a.size() < 4 || a[0]->kind != PyObj::Kind::Tensor)
    throw std::runtime_error("malformed _rebuild_tensor arguments");
  auto t = PyObj::make(PyObj::Kind::Tensor);
  t->tensor = a[0]->tensor.as_strided(int_tuple(a[2]), int_tuple(a[3]), a[1]->i).clone();
  return t;
}

class PthArchive {
 public:
  explicit PthArchive(const std::string& path) : path_(path) {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw std::runtime_error("cannot open checkpoint '" + path + "': no such file or not readable");
    char magic[2] = {0, 0};
    probe.read(magic, 2);
    if (magic[0] != 'P' || magic[1] != 'K')
      throw std::runtime_error("'" + path +
                               "' is not a zip-format .pth (legacy pre-1.6 torch.save files are not supported: "
                               "re-save it in Python with torch.save(torch.load(f), f))");
    reader_ = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
  }

  PyRef load(int* protocol) {
    auto [data, size] = reader_->getRecord("data.pkl");
    UnpicklerHooks hooks;
    hooks.persistent_load = [this](const PyRef& pid) { return load_storage(pid); };
    hooks.call = [](const std::string& g, const PyRef& args) -> PyRef {
      if (g == "torch._utils._rebuild_tensor_v2" || g == "torch._utils._rebuild_tensor") return rebuild_tensor(args);
      if (g == "torch._utils._rebuild_parameter" || g == "torch._utils._rebuild_parameter_with_state" ||
          g == "torch.jit._pickle.restore_type_tag")
        return args->items.at(0);  // the tensor / container itself
      return nullptr;
    };
    return unpickle(static_cast<const char*>(data.get()), size, hooks, protocol);
  }

 private:
  std::string path_;
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader_;
  std::map<std::string, PyRef> storages_;  // shared storages are read once

  // ('storage', <storage class>, key, location, numel)
  PyRef load_storage(const PyRef& pid) {
    const auto& f = pid->items;
    if (f.size() < 5 || f[0]->s != "storage") throw std::runtime_error("unexpected persistent id " + pid->repr());
    const std::string& key = f[2]->s;
    auto it = storages_.find(key);
    if (it != storages_.end()) return it->second;
    const at::ScalarType dtype = storage_dtype(f[1]->s);
    const int64_t numel = f[4]->i;
    auto [data, size] = reader_->getRecord("data/" + key);
    if (size < static_cast<size_t>(numel) * c10::elementSize(dtype))
      throw std::runtime_error("storage data/" + key + " is shorter than its " + std::to_string(numel) + " elements");
    auto s = PyObj::make(PyObj::Kind::Tensor);
    s->tensor = at::empty({numel}, at::TensorOptions().dtype(dtype));
    std::memcpy(s->tensor.data_ptr(), data.get(), static_cast<size_t>(numel) * c10::elementSize(dtype));
    storages_[key] = s;
    return s;
  }
};

std::string key_text(const PyRef& k) { return k->kind == PyObj::Kind::Str ? k->s : k->repr(); }

void flatten(const PyRef& obj, const std::string& path, std::vector<PthEntry>& out) {
  switch (obj->kind) {
    case PyObj::Kind::Dict:
      for (const auto& [k, v] : obj->dict) flatten(v, path.empty() ? key_text(k) : path + "/" + key_text(k), out);
      return;
    case PyObj::Kind::List:
    case PyObj::Kind::Tuple: {
      bool has_tensors = false;
      for (const auto& v : obj->items) has_tensors |= v->kind == PyObj::Kind::Tensor || v->kind == PyObj::Kind::Dict;
      if (has_tensors) {
        for (size_t k = 0; k < obj->items.size(); ++k)
          flatten(obj->items[k], path.empty() ? std::to_string(k) : path + "/" + std::to_string(k), out);
        return;
      }
      break;
    }
    case PyObj::Kind::Tensor: out.push_back({path, obj->tensor, ""}); return;
    default: break;
  }
  out.push_back({path, at::Tensor(), obj->repr()});
}

PyRef load_root(const std::string& path, int* protocol) {
  try {
    return PthArchive(path).load(protocol);
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot read checkpoint '" + path + "': " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    if (msg.find(path) != std::string::npos) throw;
    throw std::runtime_error("cannot read checkpoint '" + path + "': " + msg);
  }
}

}  // namespace

PthContents read_pth(const std::string& path) {
  PthContents c;
  flatten(load_root(path, &c.pickle_protocol), "", c.entries);
  return c;
}

TensorDict read_state_dict(const std::string& path) {
  PyRef root = load_root(path, nullptr);
  if (root->kind != PyObj::Kind::Dict)
    throw std::runtime_error("checkpoint '" + path + "' holds a " + root->repr() + ", not a state dict");
  for (const auto& [k, v] : root->dict)
    if (k->kind == PyObj::Kind::Str && k->s == "state_dict" && v->kind == PyObj::Kind::Dict) {
      root = v;
      break;
    }
  TensorDict out;
  for (const auto& [k, v] : root->dict) {
    if (v->kind != PyObj::Kind::Tensor) continue;
    std::string key = key_text(k);
    if (key.rfind("module.", 0) == 0) key = key.substr(7);  // saved from a DDP-wrapped model
    out.emplace_back(key, v->tensor);
  }
  if (out.empty())
    throw std::runtime_error("checkpoint '" + path + "' contains no tensors at its top level or under 'state_dict'");
  return out;
}

void write_state_dict(const std::string& path, const TensorDict& state) {
  // torch::pickle_save writes the same zip layout and tensor encoding as torch.save (a plain dict rather
  // than an OrderedDict, which load_state_dict accepts alike).
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [k, v] : state) dict.insert(k, v.detach().cpu().contiguous());
  std::vector<char> bytes = torch::pickle_save(dict);
  write_file_atomically(path, bytes.data(), bytes.size());
}

}  // namespace sinsr::io
