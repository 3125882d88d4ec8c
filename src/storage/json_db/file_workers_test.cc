#include "storage/json_db/file_workers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace databus {
namespace {

// Runs a batch of `n` and checks that every index ran exactly once.
void expect_each_index_once(FileWorkers& workers, std::size_t n) {
  std::vector<std::atomic<int>> calls(n);
  const FileWorkers::Failures failures = workers.run(n, [&](std::size_t i) { ++calls[i]; });
  EXPECT_TRUE(failures.empty());
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1) << "index " << i;
}

TEST(FileWorkersTest, EveryIndexRunsOnceWithOrWithoutWorkers) {
  for (unsigned threads : {0u, 1u, 3u}) {
    FileWorkers workers(threads);
    for (std::size_t n : {0u, 1u, 7u, 8u, 1000u}) expect_each_index_once(workers, n);
  }
}

TEST(FileWorkersTest, TheWorkersShareTheBatch) {
  FileWorkers workers(1);
  // Each call waits (bounded) until two threads have been seen, so a batch
  // that the worker never joined would time out instead of passing.
  std::mutex mutex;
  std::set<std::thread::id> seen;
  std::condition_variable both;
  const FileWorkers::Failures failures = workers.run(64, [&](std::size_t) {
    std::unique_lock<std::mutex> lock(mutex);
    seen.insert(std::this_thread::get_id());
    both.notify_all();
    both.wait_for(lock, std::chrono::seconds(10), [&] { return seen.size() >= 2; });
  });
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(seen.size(), 2u);
}

TEST(FileWorkersTest, FailuresAreReturnedByIndexAndTheRestStillRuns) {
  FileWorkers workers(1);
  std::atomic<int> ran{0};
  const FileWorkers::Failures failures = workers.run(100, [&](std::size_t i) {
    ++ran;
    if (i % 30 == 7) throw std::runtime_error("entry " + std::to_string(i));
  });
  EXPECT_EQ(ran.load(), 100);
  ASSERT_EQ(failures.size(), 4u);  // 7, 37, 67, 97
  for (std::size_t k = 0; k < failures.size(); ++k) {
    EXPECT_EQ(failures[k].first, 7 + 30 * k);
    try {
      std::rethrow_exception(failures[k].second);
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "entry " + std::to_string(7 + 30 * k));
    }
  }
}

TEST(FileWorkersTest, CallersOnSeveralThreadsEachGetTheirBatchDone) {
  FileWorkers workers(1);
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 20; ++round) expect_each_index_once(workers, 50);
    });
  }
  for (std::thread& t : callers) t.join();
}

}  // namespace
}  // namespace databus
