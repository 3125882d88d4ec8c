#include "dispatcher/worker_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus::dispatch {
namespace {

TEST(WorkerPoolTest, ZeroMeansTheNumberOfCores) {
  EXPECT_GE(WorkerPool::resolve_size(0), 1);
  EXPECT_EQ(WorkerPool::resolve_size(3), 3);
  WorkerPool pool(2);
  EXPECT_EQ(pool.size(), 2);
}

TEST(WorkerPoolTest, JoinRunsEveryQueuedTask) {
  std::atomic<int> done{0};
  WorkerPool pool(2);
  for (int i = 0; i < 50; ++i) pool.submit([&] { ++done; });
  pool.join();
  EXPECT_EQ(done.load(), 50);
}

TEST(WorkerPoolTest, TasksRunInParallel) {
  // Two tasks that each wait for the other can only both finish when they run
  // on two threads at once.
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  std::atomic<int> met{0};
  auto meet = [&] {
    std::unique_lock lock(mu);
    ++arrived;
    cv.notify_all();
    if (cv.wait_for(lock, std::chrono::seconds(20), [&] { return arrived == 2; })) ++met;
  };
  WorkerPool pool(2);
  pool.submit(meet);
  pool.submit(meet);
  pool.join();
  EXPECT_EQ(met.load(), 2);
}

TEST(WorkerPoolTest, ThrowingTaskDoesNotStopTheWorker) {
  std::atomic<int> done{0};
  WorkerPool pool(1);
  pool.submit([] { throw std::runtime_error("task failure for the test"); });
  pool.submit([&] { ++done; });
  pool.join();
  EXPECT_EQ(done.load(), 1);
}

TEST(WorkerPoolTest, SubmitAfterJoinIsRefused) {
  WorkerPool pool(1);
  pool.join();
  pool.join();  // Idempotent.
  EXPECT_THROW(pool.submit([] {}), StateError);
}

}  // namespace
}  // namespace databus::dispatch
