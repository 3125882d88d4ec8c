// WorkerPool: a fixed set of threads running submitted tasks in order of
// submission. The dispatcher runs its drives on one.
//
// Thread-safety: submit() and join() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace databus::dispatch {

class WorkerPool {
 public:
  // Starts `threads` threads; 0 means std::thread::hardware_concurrency()
  // (at least one).
  explicit WorkerPool(int threads);
  // Joins (see join()).
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // The thread count `threads` resolves to, as the constructor does.
  static int resolve_size(int threads);

  // Queues `task`. A task that throws is reported in the process log and the worker
  // goes on. Throws StateError after join() has begun.
  void submit(std::function<void()> task);

  // Runs every task queued so far, then stops and joins the threads.
  // Idempotent; must not be called from a task.
  void join();

  int size() const { return static_cast<int>(threads_.size()); }

 private:
  void work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // Guarded by mu_.
  bool closing_ = false;                     // Guarded by mu_.
  std::vector<std::thread> threads_;
  std::once_flag joined_;
};

}  // namespace databus::dispatch
