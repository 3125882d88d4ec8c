#include "storage/json_db/file_workers.h"

#include <algorithm>
#include <atomic>

namespace databus {

// Batches smaller than this run on the caller alone: waking a worker costs
// more than writing a few files.
constexpr std::size_t kMinParallel = 8;

struct FileWorkers::Batch {
  const std::function<void(std::size_t)>* job = nullptr;
  std::size_t n = 0;
  std::atomic<std::size_t> next{0};  // The next index to claim.
  int helpers = 0;                   // Workers inside help(); guarded by mutex_.
  std::mutex failures_mutex;
  Failures failures;
};

FileWorkers::FileWorkers(unsigned workers) {
  threads_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

FileWorkers::~FileWorkers() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

unsigned FileWorkers::default_workers() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores <= 1 ? 0 : std::min(cores - 1, 3u);
}

void FileWorkers::help(Batch& batch) {
  for (std::size_t i; (i = batch.next.fetch_add(1)) < batch.n;) {
    try {
      (*batch.job)(i);
    } catch (...) {
      std::lock_guard<std::mutex> guard(batch.failures_mutex);
      batch.failures.emplace_back(i, std::current_exception());
    }
  }
}

void FileWorkers::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Batch* batch = queue_.front();
    ++batch->helpers;
    lock.unlock();
    help(*batch);
    lock.lock();
    std::erase(queue_, batch);  // Every index is claimed: nothing left to find.
    --batch->helpers;
    left_.notify_all();
  }
}

FileWorkers::Failures FileWorkers::run(std::size_t n, const std::function<void(std::size_t)>& job) {
  Batch batch;
  batch.job = &job;
  batch.n = n;
  const bool shared = !threads_.empty() && n >= kMinParallel;
  if (shared) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      queue_.push_back(&batch);
    }
    wake_.notify_one();
  }
  help(batch);
  if (shared) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::erase(queue_, &batch);  // When no worker came.
    left_.wait(lock, [&] { return batch.helpers == 0; });
  }
  std::sort(batch.failures.begin(), batch.failures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return std::move(batch.failures);
}

}  // namespace databus
