// Reading and writing PyTorch `.pth` checkpoints (torch.save zip format) without Python.
//
// Debian's torch::pickle_load cannot read a torch.save()d state_dict (an OrderedDict), so the pickle
// is parsed here: the subset of opcodes torch.save emits (protocols 2-5), OrderedDict/dict/list/tuple,
// tensors rebuilt through torch._utils._rebuild_tensor_v2 / _rebuild_parameter, storages by persistent id.
// Objects of other classes (argparse.Namespace, numpy scalars, ...) are kept as opaque values, so a
// checkpoint that carries extra metadata still loads.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace sinsr::io {

// Ordered (key, tensor) pairs, in the order they are stored.
using TensorDict = std::vector<std::pair<std::string, at::Tensor>>;

// One leaf of a checkpoint's pickled object: tensors and scalar values, with a path of keys joined by '/'.
struct PthEntry {
  std::string path;
  at::Tensor tensor;  // defined for tensor leaves
  std::string text;   // a readable rendering for non-tensor leaves
};

struct PthContents {
  std::vector<PthEntry> entries;
  int pickle_protocol = 0;
};

// Every leaf of the file, depth first in stored order. Throws std::runtime_error naming the file.
PthContents read_pth(const std::string& path);

// The model weights of a checkpoint: the top-level dict, or its "state_dict" entry when present, with any
// DDP "module." prefix removed. Non-tensor entries are ignored.
TensorDict read_state_dict(const std::string& path);

// Writes a state dict that Python's torch.load() reads back to the same keys, shapes, dtypes and values.
// Written to a temporary name, fsynced and renamed: the final name only ever holds a complete file.
void write_state_dict(const std::string& path, const TensorDict& state);

}  // namespace sinsr::io
