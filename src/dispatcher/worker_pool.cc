#include "dispatcher/worker_pool.h"

#include <exception>

#include "databus/error.h"
#include "logging/process_log.h"

namespace databus::dispatch {

int WorkerPool::resolve_size(int threads) {
  if (threads > 0) return threads;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

WorkerPool::WorkerPool(int threads) {
  const int n = resolve_size(threads);
  threads_.reserve(n);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (closing_) throw StateError("worker pool: no task is accepted after join()");
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void WorkerPool::join() {
  std::call_once(joined_, [this] {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  });
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return closing_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // Closing and drained.
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      process_log::warning("dispatcher") << "a worker task failed: " << e.what();
    } catch (...) {
      process_log::warning("dispatcher") << "a worker task failed with an unknown exception";
    }
  }
}

}  // namespace databus::dispatch
