// sinsr inspect FILE.pth: what a checkpoint holds (keys, dtypes, shapes, parameter count), read with our
// own .pth reader, so it also checks that a file will load.
#include <sys/stat.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/io/pth.h"
#include "core/io/state_dict.h"
#include "core/nn/unet_swin.h"
#include "core/nn/vq_autoencoder.h"
#include "core/util/errors.h"
#include "launcher/commands.h"

namespace sinsr::cli {

namespace {

// Buffers of the SinSR networks: counted apart from the learnable parameters, like the reference's totals.
bool is_known_buffer(const std::string& key) {
  for (const char* suffix : {"relative_position_index", "attn_mask"}) {
    const std::string s = suffix;
    if (key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// numpy/torch spelling ("float32"), which is what users compare against.
std::string dtype_text(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

std::string shape_text(const at::Tensor& t) {
  std::ostringstream o;
  o << '[';
  for (int64_t d = 0; d < t.dim(); ++d) o << (d ? ", " : "") << t.size(d);
  o << ']';
  return o.str();
}

struct InspectOptions {
  std::string file, check;  // check empty: only list the entries
};

void declare(po::options_description& o, po::positional_options_description& p, InspectOptions& i) {
  o.add_options()("file", po::value(&i.file)->required()->value_name("FILE.pth"), "checkpoint to inspect")(
      "check", po::value(&i.check)->value_name("NET"), "also load it strictly into 'unet' or 'autoencoder'");
  p.add("file", 1);
}

int run(InspectOptions& i, const Invocation& inv) {
  const std::string& path = i.file;
  const io::PthContents contents = io::read_pth(path);
  struct stat st {};
  ::stat(path.c_str(), &st);

  size_t width = 3;
  for (const auto& e : contents.entries) width = std::max(width, e.path.size());
  std::cout << "checkpoint " << path << " (" << with_commas(st.st_size) << " bytes, pickle protocol "
            << contents.pickle_protocol << ")\n";
  std::cout << std::left << std::setw(static_cast<int>(width)) << "key"
            << "  " << std::setw(9) << "dtype"
            << "shape\n";
  int64_t tensors = 0, params = 0, buffers = 0, buffer_elements = 0;
  for (const auto& e : contents.entries) {
    std::cout << std::setw(static_cast<int>(width)) << e.path << "  ";
    if (!e.tensor.defined()) {
      std::cout << std::setw(9) << "value" << e.text << "\n";
      continue;
    }
    ++tensors;
    std::cout << std::setw(9) << dtype_text(e.tensor.scalar_type()) << shape_text(e.tensor) << "\n";
    if (is_known_buffer(e.path)) {
      ++buffers;
      buffer_elements += e.tensor.numel();
    } else {
      params += e.tensor.numel();
    }
  }
  std::cout << tensors << " tensors; parameters: " << with_commas(params);
  if (buffers) std::cout << " (plus " << buffers << " buffers, " << with_commas(buffer_elements) << " elements)";
  std::cout << "\n";

  if (!i.check.empty()) {
    // Build the configured network and load the file strictly: the same check every stage does.
    const std::string& which = i.check;
    std::shared_ptr<torch::nn::Module> model;
    if (which == "unet")
      model = nn::UNetModelSwin(UNetConfig::from_config(inv.config)).ptr();
    else if (which == "autoencoder")
      model = nn::VQModelTorch(VQConfig::from_config(inv.config)).ptr();
    else
      throw UsageError("--check takes 'unet' or 'autoencoder', not '" + which + "'");
    io::load_state_dict_strict(*model, io::read_state_dict(path), path);
    std::cout << "loads strictly into the configured "
              << (which == "unet" ? "[model] UNetModelSwin" : "[autoencoder] VQModelTorch") << "\n";
  }
  return 0;
}

}  // namespace

Command inspect_command() {
  Command c("inspect", "list the keys, dtypes, shapes and parameter count of a .pth checkpoint",
            "sinsr inspect [--check unet|autoencoder] [--config FILE] FILE.pth",
            R"(Reads a PyTorch checkpoint (torch.save zip format: official ResShift/SinSR/VQ-f4 weights or ours)
and prints every entry, nested dicts as a/b paths. The parameter count excludes the UNet's
buffers (relative_position_index, attn_mask), matching the reference's totals.
With --check, also builds the network of the [model] or [autoencoder] config and loads the file
into it strictly, naming every missing, unexpected or wrongly shaped key.)");
  c.sections = {"model", "autoencoder"};
  bind_options(c, declare, run);
  return c;
}

}  // namespace sinsr::cli
