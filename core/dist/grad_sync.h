// Data-parallel gradient averaging that overlaps the backward pass, like torch DDP's Reducer: parameters
// are packed into buckets of about bucket_bytes in reverse registration order (roughly the order backward
// produces their gradients), and a bucket's all-reduce starts as soon as the last of its gradients has
// been accumulated, while the backward pass goes on computing earlier layers. docs/design.md, "Gradient
// synchronisation".
//
// Deterministic by construction: buckets always start in index order (a bucket whose gradients are ready
// waits for the ones before it), so every rank issues the same collectives in the same order, and the
// after-backward mode runs the very same collectives on the very same buckets, only later. Summation
// order is therefore identical in both modes and the results are bit-identical.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/dist/communicator.h"

namespace torch::autograd {
struct Node;
}

namespace sinsr::dist {

enum class GradSyncMode {
  Overlap,        // start each bucket during backward, from autograd hooks
  AfterBackward,  // start every bucket once backward has returned (the simple way; for comparison)
};

// "overlap" or "after_backward"; throws UsageError naming `key` otherwise.
GradSyncMode parse_grad_sync_mode(const std::string& value, const std::string& key);

class GradientSync {
 public:
  // `params` must all require grad and stay alive and in place (their storage) for this object's lifetime.
  GradientSync(std::vector<at::Tensor> params, Communicator& comm, GradSyncMode mode, size_t bucket_bytes);
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  // Before each backward pass: `last` is true for the last micro-batch of a step, the only one whose
  // gradients are communicated (earlier micro-batches only accumulate locally).
  void begin_backward(bool last);
  // After the last micro-batch's backward: starts what has not started, waits for everything and writes
  // the summed gradients back into each parameter's .grad (on CUDA: ordered on the current stream).
  void finish();

  size_t bucket_count() const { return buckets_.size(); }
  // Buckets started from inside backward during the last step (0 in after-backward mode); for the logs.
  size_t started_during_backward() const { return started_in_backward_; }

 private:
  struct Bucket {
    std::vector<size_t> members;  // indices into params_
    at::Tensor flat;              // persistent, on the parameters' device
    size_t ready = 0;
    std::unique_ptr<PendingCollective> pending;
  };
  void on_grad_ready(size_t param_index);
  void start_ready_buckets();  // starts buckets in index order while the next one is complete
  void start(Bucket& b);

  std::vector<at::Tensor> params_;
  std::vector<size_t> bucket_of_;  // param index -> bucket index
  std::vector<Bucket> buckets_;
  Communicator& comm_;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators_;             // kept alive: they carry our hooks
  std::shared_ptr<GradientSync*> self_ = std::make_shared<GradientSync*>(this);  // the hooks' weak link to us
  bool armed_ = false;
  size_t next_to_start_ = 0;
  size_t started_in_backward_ = 0;
};

}  // namespace sinsr::dist
