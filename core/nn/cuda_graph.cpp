#include "core/nn/cuda_graph.h"

#ifdef SINSR_WITH_CUDA
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <ATen/autocast_mode.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "core/util/error_text.h"
#endif

namespace sinsr::nn {

#ifdef SINSR_WITH_CUDA
struct GraphedComputation::Graph {
  std::vector<at::Tensor> inputs;  // the captured buffers each replay reads
  at::Tensor output;               // ... and writes
  at::cuda::CUDAGraph graph;
};
#else
struct GraphedComputation::Graph {};
#endif

GraphedComputation::GraphedComputation(std::string name, Fn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
GraphedComputation::~GraphedComputation() = default;

#ifdef SINSR_WITH_CUDA
namespace {

bool graphs_enabled() {
  const char* env = std::getenv("SINSR_CUDA_GRAPHS");
  return !(env && std::strcmp(env, "0") == 0);
}

bool all_cuda(const std::vector<at::Tensor>& inputs) {
  if (inputs.empty()) return false;
  for (const auto& t : inputs)
    if (!t.defined() || !t.is_cuda() || t.device() != inputs[0].device()) return false;
  return true;
}

bool same_signature(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].sizes() != b[i].sizes() || a[i].scalar_type() != b[i].scalar_type() || a[i].device() != b[i].device())
      return false;
  return true;
}

// Autocast's cache of cast weights must not carry tensors across the capture's boundary (torch.cuda.graphs
// asks for autocast(cache_enabled=False) for the same reason); restored on every exit.
struct AutocastCacheOff {
  bool previous = at::autocast::is_autocast_cache_enabled();
  AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(false); }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(previous); }
};

}  // namespace
#endif

at::Tensor GraphedComputation::operator()(const std::vector<at::Tensor>& inputs) {
#ifdef SINSR_WITH_CUDA
  if (failed_ || !all_cuda(inputs) || !graphs_enabled()) return fn_(inputs);
  if (graph_) {
    if (!same_signature(graph_->inputs, inputs)) return fn_(inputs);  // keep the graph of the common shape
    for (size_t i = 0; i < inputs.size(); ++i) graph_->inputs[i].copy_(inputs[i]);
    graph_->graph.replay();
    return graph_->output.clone();  // the next replay overwrites the captured output
  }
  const c10::DeviceIndex index = inputs[0].device().index();
  c10::cuda::CUDAGuard guard(index);
  const c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream(index);
  const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, index);
  auto g = std::make_unique<Graph>();
  try {
    for (const auto& t : inputs) g->inputs.push_back(t.clone());
    at::cuda::CUDAEvent inputs_ready;
    inputs_ready.record(current);
    inputs_ready.block(side);  // the side stream starts after the clones
    {
      c10::cuda::CUDAStreamGuard on_side(side);
      AutocastCacheOff no_cache;
      for (int i = 0; i < 2; ++i) fn_(g->inputs);  // warm-up outside the capture
      g->graph.capture_begin();
      g->output = fn_(g->inputs);
      g->graph.capture_end();
    }
    at::cuda::CUDAEvent captured_event;
    captured_event.record(side);
    captured_event.block(current);
    g->graph.replay();  // the capture recorded the kernels without running them
    graph_ = std::move(g);
    return graph_->output.clone();
  } catch (const std::exception& e) {
    failed_ = true;
    std::cerr << "warning: " << name_ << ": CUDA graph capture failed, running eagerly (" << error_text(e) << ")\n";
    current.synchronize();
    return fn_(inputs);
  }
#else
  return fn_(inputs);
#endif
}

}  // namespace sinsr::nn
