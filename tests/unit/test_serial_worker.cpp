// SerialWorker: jobs run in order on one thread, the queue bound throttles the producer, and the first
// error reaches the caller while no later job runs.
#include "core/util/serial_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sinsr::test {
namespace {

TEST(SerialWorker, RunsJobsInOrderOnOneThreadAndDrains) {
  std::vector<int> order;
  std::thread::id runner;
  bool one_thread = true;
  {
    SerialWorker w(2);
    for (int i = 0; i < 50; ++i)
      w.submit([&, i] {
        if (i == 0) runner = std::this_thread::get_id();
        one_thread = one_thread && std::this_thread::get_id() == runner && runner != std::thread::id();
        order.push_back(i);
      });
    w.drain();
    ASSERT_EQ(order.size(), 50u);
  }
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
  EXPECT_TRUE(one_thread);
}

TEST(SerialWorker, AFullQueueBlocksTheProducer) {
  std::atomic<bool> release{false};
  std::atomic<int> submitted{0};
  SerialWorker w(1);
  std::thread producer([&] {
    for (int i = 0; i < 3; ++i) {
      w.submit([&] {
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      });
      ++submitted;
    }
  });
  // Job 1 runs (and blocks), job 2 waits in the queue of one: the third submit cannot return.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(submitted.load(), 2);
  release = true;
  producer.join();
  w.drain();
  EXPECT_EQ(submitted.load(), 3);
}

TEST(SerialWorker, TheFirstErrorReachesTheCallerAndStopsLaterJobs) {
  SerialWorker w(4);
  std::atomic<int> ran{0};
  std::atomic<bool> go{false};
  // The first job holds the thread until all three are queued, so the third is waiting when the second fails.
  w.submit([&] {
    while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++ran;
  });
  w.submit([] { throw std::runtime_error("disk full: shard.h5.tmp"); });
  w.submit([&] { ++ran; });
  go = true;
  try {
    w.drain();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk full: shard.h5.tmp");
  }
  EXPECT_EQ(ran.load(), 1);
  EXPECT_THROW(w.submit([&] { ++ran; }), std::runtime_error);
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace sinsr::test
