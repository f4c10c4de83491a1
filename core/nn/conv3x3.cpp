#include "core/nn/conv3x3.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <unordered_map>
#include <vector>

#include "core/nn/option_variant.h"

#ifdef SINSR_WINOGRAD
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace sinsr::nn {

namespace {

std::atomic<bool> enabled{true};

#ifdef SINSR_WINOGRAD

// Below these the direct kernels win or tie (measured: 6 -> 160 channels at 64x64; 640 channels at 16x16, where
// reordering the weights on every call costs more than Winograd saves).
constexpr int64_t kMinInputChannels = 16;
constexpr int64_t kMinSide = 32;

bool is_pair(const torch::ExpandingArray<2>& a, int64_t v) { return (*a)[0] == v && (*a)[1] == v; }

bool applies(const torch::nn::Conv2dImpl& conv, const torch::Tensor& x) {
  const auto& w = conv.weight;
  const auto& o = conv.options;
  const auto* padding = variant_if<torch::ExpandingArray<2>>(o.padding());
  const bool needs_grad = at::GradMode::is_enabled() && (x.requires_grad() || w.requires_grad() ||
                                                         (conv.bias.defined() && conv.bias.requires_grad()));
  return x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == at::kFloat && w.scalar_type() == at::kFloat &&
         !needs_grad && is_pair(o.kernel_size(), 3) && is_pair(o.stride(), 1) && is_pair(o.dilation(), 1) &&
         o.groups() == 1 && padding && is_pair(*padding, 1) && variant_if<torch::enumtype::kZeros>(o.padding_mode()) &&
         x.size(1) >= kMinInputChannels && std::min(x.size(2), x.size(3)) >= kMinSide;
}

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// A tensor's memory as oneDNN sees it: its sizes and strides, so NCHW and channels-last both work unchanged.
dnnl::memory::desc plain_desc(const torch::Tensor& t) {
  return dnnl::memory::desc(t.sizes().vec(), dnnl::memory::data_type::f32, t.strides().vec());
}

// Output rows per call of the primitive: its workspace (the input and output in the Winograd domain, ~4.75x the
// band's input) stays near 40 MB however large the image; one call for a 128-channel 512x512 map would take 0.6 GB.
constexpr int64_t kBandBytes = int64_t{8} << 20;

torch::Tensor winograd(const torch::Tensor& x_in, const torch::nn::Conv2dImpl& conv) {
  using dnnl::memory;
  const auto& engine = cpu_engine();
  thread_local dnnl::stream stream(engine);
  const auto x = x_in.contiguous(x_in.suggest_memory_format());
  const auto w = conv.weight.contiguous(conv.weight.suggest_memory_format());
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), out = w.size(0);
  auto y = at::empty({n, out, h, wd}, x.options().memory_format(x.suggest_memory_format()));

  // Every buffer is a LibTorch tensor, so memory comes from (and returns to) the one allocator.
  const auto buffer = [&](const memory::desc& d, std::vector<torch::Tensor>& owner) {
    owner.push_back(at::empty({static_cast<int64_t>(d.get_size())}, x.options().dtype(at::kByte)));
    return memory(d, engine, owner.back().data_ptr());
  };
  const auto in_layout = [&](const torch::Tensor& t, const memory::desc& want, std::vector<torch::Tensor>& owner) {
    memory user(plain_desc(t), engine, t.data_ptr());
    if (user.get_desc() == want) return user;
    auto m = buffer(want, owner);
    dnnl::reorder(user, m).execute(stream, user, m);
    return m;
  };
  const auto any = [](const torch::Tensor& t) {
    return memory::desc(t.sizes().vec(), memory::data_type::f32, memory::format_tag::any);
  };
  const memory::desc bias_desc =
      conv.bias.defined() ? memory::desc({out}, memory::data_type::f32, memory::format_tag::x) : memory::desc();
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // its workspace from LibTorch's allocator, per call

  std::vector<torch::Tensor> parameters;  // the weights and bias in the primitive's layout, for every band
  memory weights, bias;
  const int64_t band = std::max<int64_t>(4, kBandBytes / (n * c * wd * 4) / 4 * 4);  // whole 4-row Winograd tiles
  for (int64_t r0 = 0; r0 < h; r0 += band) {
    const int64_t rows = std::min(band, h - r0);
    // A band reads its neighbours' rows where the image has them, and is zero-padded only at the image's edges.
    const int64_t top = r0 > 0 ? 1 : 0, bottom = r0 + rows < h ? 1 : 0;
    const auto xs = x.narrow(2, r0 - top, rows + top + bottom);
    const auto ys = y.narrow(2, r0, rows);
    // forward_training: weights in a blocked layout, transformed inside each call. forward_inference wants them
    // pre-transformed, 4x larger and one copy per input size; transforming them per call costs more than the conv.
    const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_winograd,
                                               any(xs), any(w), bias_desc, any(ys), {1, 1}, {1 - top, 1},
                                               {1 - bottom, 1});
    const dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
    if (!weights || weights.get_desc() != pd.weights_desc()) weights = in_layout(w, pd.weights_desc(), parameters);
    if (conv.bias.defined() && !bias) bias = in_layout(conv.bias.contiguous(), pd.bias_desc(), parameters);

    std::vector<torch::Tensor> scratch;  // this band's buffers, freed before the next band
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, in_layout(xs, pd.src_desc(), scratch)},
                                         {DNNL_ARG_WEIGHTS, weights},
                                         {DNNL_ARG_SCRATCHPAD, buffer(pd.scratchpad_desc(), scratch)}};
    if (bias) args.emplace(DNNL_ARG_BIAS, bias);
    memory user_dst(plain_desc(ys), engine, ys.data_ptr());
    const bool dst_direct = user_dst.get_desc() == pd.dst_desc();
    memory dst = dst_direct ? user_dst : buffer(pd.dst_desc(), scratch);
    args.emplace(DNNL_ARG_DST, dst);
    dnnl::convolution_forward(pd).execute(stream, args);
    if (!dst_direct) dnnl::reorder(dst, user_dst).execute(stream, dst, user_dst);
    stream.wait();
  }
  return y;
}

#endif

}  // namespace

bool winograd_available() {
#ifdef SINSR_WINOGRAD
  static const bool avx512 = [] {
    const int isa = static_cast<int>(dnnl::get_effective_cpu_isa());
    return (isa & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core;
  }();
  return avx512;
#else
  return false;
#endif
}

void set_winograd_enabled(bool on) { enabled = on; }

torch::Tensor conv3x3(const torch::nn::Conv2d& conv, const torch::Tensor& x) {
#ifdef SINSR_WINOGRAD
  if (enabled && winograd_available() && applies(*conv, x)) {
    try {
      return winograd(x, *conv);
    } catch (const dnnl::error&) {
      // A shape this oneDNN has no Winograd kernel for: the direct convolution below.
    }
  }
#endif
  return conv.ptr()->forward(x);
}

}  // namespace sinsr::nn
