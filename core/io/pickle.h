// A small Python-pickle reader for the objects torch.save() writes. It builds a tree of PyObj values;
// what a persistent id (a storage) or a class call means is decided by the caller's hooks.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sinsr::io {

struct PyObj;
using PyRef = std::shared_ptr<PyObj>;

struct PyObj {
  enum class Kind { None, Bool, Int, Float, Str, Bytes, Tuple, List, Dict, Global, Tensor, Opaque };
  Kind kind = Kind::None;
  int64_t i = 0;                              // Bool, Int
  double f = 0;                               // Float
  std::string s;                              // Str, Bytes, Global ("module.name"), Opaque (class name)
  std::vector<PyRef> items;                   // Tuple, List
  std::vector<std::pair<PyRef, PyRef>> dict;  // Dict (insertion order)
  at::Tensor tensor;                          // Tensor (and storages, as 1-D tensors)

  static PyRef make(Kind k) {
    auto p = std::make_shared<PyObj>();
    p->kind = k;
    return p;
  }
  std::string repr() const;  // short human-readable rendering
};

struct UnpicklerHooks {
  // Called for BINPERSID / PERSID with the persistent id object.
  std::function<PyRef(const PyRef& pid)> persistent_load;
  // Called for REDUCE / NEWOBJ on a GLOBAL: return nullptr to fall back to the default handling
  // (OrderedDict/dict/list/set-like builders become containers, everything else an Opaque object).
  std::function<PyRef(const std::string& global, const PyRef& args)> call;
};

// Parses one pickle; `protocol` receives the PROTO number (0 if absent). Throws std::runtime_error.
PyRef unpickle(const char* data, size_t size, const UnpicklerHooks& hooks, int* protocol = nullptr);

}  // namespace sinsr::io
