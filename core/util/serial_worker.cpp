#include "core/util/serial_worker.h"

namespace sinsr {

SerialWorker::SerialWorker(size_t max_queued)
    : max_queued_(max_queued < 1 ? 1 : max_queued), thread_([this] { run(); }) {}

SerialWorker::~SerialWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void SerialWorker::rethrow_locked() {
  if (error_) std::rethrow_exception(error_);
}

void SerialWorker::submit(std::function<void()> job) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return queue_.size() < max_queued_ || error_; });
  rethrow_locked();
  queue_.push_back(std::move(job));
  changed_.notify_all();
}

void SerialWorker::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return (queue_.empty() && !busy_) || error_; });
  rethrow_locked();
}

void SerialWorker::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, nothing left
    std::function<void()> job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    changed_.notify_all();  // a producer may be waiting for the room this made
    lock.unlock();
    std::exception_ptr failed;
    try {
      job();
    } catch (...) {
      failed = std::current_exception();
    }
    job = nullptr;  // what the job held (tensors, writers) goes now, on this thread
    lock.lock();
    busy_ = false;
    if (failed && !error_) error_ = failed;
    if (error_) queue_.clear();
    changed_.notify_all();
  }
}

}  // namespace sinsr
