// FileWorkers: runs the per-entry work of one JSON DB batch (encoding
// passenger.json, writing or removing the files of distinct entry folders)
// on the calling thread and on worker threads at once. Entry folders do not
// contend with each other, so a batch of 2,000 entries' files is written by
// every core instead of one; what must stay ordered (the journal, the index,
// the cache) stays with the caller.
//
// Several callers (drives of different clients) may run batches at the same
// time: an idle worker helps whichever batch it finds first, and a caller
// whose batch no worker picks up does all of it itself, so no batch waits
// for another's.
//
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace databus {

class FileWorkers {
 public:
  // A failed call of a job: its index and what it threw.
  using Failures = std::vector<std::pair<std::size_t, std::exception_ptr>>;

  // Starts `workers` threads besides the callers (0: callers do everything).
  explicit FileWorkers(unsigned workers);
  FileWorkers(const FileWorkers&) = delete;
  FileWorkers& operator=(const FileWorkers&) = delete;
  // Stops and joins the workers. REQUIRES: no run() in progress.
  ~FileWorkers();

  // One thread fewer than the machine has cores (at most 3), so that the
  // caller and the workers fill the cores.
  static unsigned default_workers();

  // Calls job(i) once for every i in [0, n), on the calling thread and any
  // idle workers, in no particular order, and returns once every call has
  // returned. A call that throws does not stop the others; the failures are
  // returned ordered by index (empty when none failed).
  // REQUIRES: job(i) and job(j) touch nothing in common unless synchronised.
  Failures run(std::size_t n, const std::function<void(std::size_t)>& job);

 private:
  struct Batch;
  void work();
  // Claims and runs indices of `batch` until none are left.
  static void help(Batch& batch);

  std::mutex mutex_;
  std::condition_variable wake_;  // A batch was queued, or stop.
  std::condition_variable left_;  // A worker left a batch.
  std::deque<Batch*> queue_;      // Batches with indices left to claim.
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace databus
