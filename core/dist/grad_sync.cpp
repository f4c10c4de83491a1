#include "core/dist/grad_sync.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <stdexcept>

#include "core/util/errors.h"

namespace sinsr::dist {

GradSyncMode parse_grad_sync_mode(const std::string& value, const std::string& key) {
  if (value == "overlap") return GradSyncMode::Overlap;
  if (value == "after_backward") return GradSyncMode::AfterBackward;
  throw UsageError(key + " takes overlap or after_backward, not '" + value + "'");
}

GradientSync::GradientSync(std::vector<at::Tensor> params, Communicator& comm, GradSyncMode mode, size_t bucket_bytes)
    : params_(std::move(params)), bucket_of_(params_.size()), comm_(comm) {
  if (comm_.size() == 1) return;  // nothing to communicate: no buckets, no hooks
  // Reverse registration order: the output layers' gradients are ready first, so the first bucket can leave
  // while backward is still in the input layers.
  size_t bytes = 0;
  for (size_t k = params_.size(); k-- > 0;) {
    const at::Tensor& p = params_[k];
    if (!p.requires_grad()) throw std::invalid_argument("GradientSync: a parameter does not require grad");
    if (buckets_.empty() || bytes >= bucket_bytes) {
      buckets_.emplace_back();
      bytes = 0;
    }
    buckets_.back().members.push_back(k);
    bucket_of_[k] = buckets_.size() - 1;
    bytes += static_cast<size_t>(p.numel()) * p.element_size();
  }
  for (Bucket& b : buckets_) {
    int64_t n = 0;
    for (size_t k : b.members) n += params_[k].numel();
    b.flat = at::empty({n}, params_[b.members.front()].options().requires_grad(false));
  }
  if (mode != GradSyncMode::Overlap) return;
  // The hook runs after the gradient has been accumulated into .grad (torch DDP hooks the same node).
  for (size_t k = 0; k < params_.size(); ++k) {
    std::shared_ptr<torch::autograd::Node> acc = torch::autograd::impl::grad_accumulator(params_[k]);
    acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [self = std::weak_ptr<GradientSync*>(self_), k](const torch::autograd::variable_list& outputs,
                                                        const torch::autograd::variable_list&) {
          if (const auto alive = self.lock()) (*alive)->on_grad_ready(k);
          return outputs;
        }));
    accumulators_.push_back(std::move(acc));
  }
}

// An accumulator outlives us if a graph still holds it: its hook then finds self_ gone and does nothing.
GradientSync::~GradientSync() = default;

void GradientSync::begin_backward(bool last) {
  armed_ = last && !buckets_.empty();
  if (!armed_) return;
  for (Bucket& b : buckets_) b.ready = 0;
  next_to_start_ = 0;
  started_in_backward_ = 0;
}

void GradientSync::on_grad_ready(size_t k) {
  if (!armed_) return;
  Bucket& b = buckets_[bucket_of_[k]];
  ++b.ready;
  for (size_t i = 0; i < next_to_start_; ++i)
    if (buckets_[i].pending) buckets_[i].pending->poll();
  const size_t before = next_to_start_;
  start_ready_buckets();
  started_in_backward_ += next_to_start_ - before;
}

void GradientSync::start_ready_buckets() {
  while (next_to_start_ < buckets_.size() && buckets_[next_to_start_].ready == buckets_[next_to_start_].members.size())
    start(buckets_[next_to_start_++]);
}

void GradientSync::start(Bucket& b) {
  int64_t offset = 0;
  for (size_t k : b.members) {
    const at::Tensor g = params_[k].grad();
    if (!g.defined()) throw std::runtime_error("GradientSync: a parameter has no gradient after backward");
    b.flat.narrow(0, offset, g.numel()).copy_(g.reshape(-1));
    offset += g.numel();
  }
  b.pending = comm_.start_all_reduce_sum(b.flat);
}

void GradientSync::finish() {
  if (!armed_) return;
  armed_ = false;
  // After-backward mode, and in overlap mode any bucket whose hooks did not all fire (a parameter that got no
  // gradient in this backward but has one from an earlier micro-batch): started now, still in index order.
  for (Bucket& b : buckets_) b.ready = b.members.size();
  start_ready_buckets();
  for (Bucket& b : buckets_) {
    b.pending->wait();
    b.pending.reset();
    int64_t offset = 0;
    for (size_t k : b.members) {
      at::Tensor g = params_[k].mutable_grad();
      g.copy_(b.flat.narrow(0, offset, g.numel()).view_as(g));
      offset += g.numel();
    }
  }
}

}  // namespace sinsr::dist
