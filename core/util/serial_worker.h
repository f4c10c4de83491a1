// One background thread that runs submitted jobs in order: lets a producer (datagen's teacher on a GPU)
// go on computing while a consumer that must stay single-threaded (HDF5) writes. At most `max_queued`
// jobs wait, so a slow disk throttles the producer instead of filling memory.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace sinsr {

class SerialWorker {
 public:
  explicit SerialWorker(size_t max_queued);
  // Finishes the queued jobs (their errors are dropped: call drain() to see them) and joins.
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // Queues a job, blocking while max_queued are waiting. Rethrows the error of an earlier job: after a
  // failure no further job runs, and the first error is what the caller sees.
  void submit(std::function<void()> job);
  // Waits until every queued job has run; rethrows the first error.
  void drain();

 private:
  void run();
  void rethrow_locked();
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  size_t max_queued_;
  bool busy_ = false, stopping_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace sinsr
