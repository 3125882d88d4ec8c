#include "storage/sqlite/sqlite_log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace databus {

LogWriter::LogWriter(sqlite3_file* real, const char* path) : real_(real), path_(path) {}

LogWriter::~LogWriter() {
  stop();
  if (own_fd_ >= 0) ::close(own_fd_);
}

int LogWriter::write(const void* data, int amount, sqlite3_int64 offset) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (error_ != SQLITE_OK) return take_error();
  if (!started_ && !start()) {
    lock.unlock();  // No thread to be had: written here and now.
    return real_->pMethods->xWrite(real_, data, amount, offset);
  }
  room_.wait(lock, [&] { return queued_bytes_ < kQueuedBytesMax; });
  const auto size = static_cast<std::size_t>(amount);
  if (queue_.empty() || queue_.back().end() != offset ||
      queue_.back().bytes.size() + size > kRunBytes) {
    queue_.push_back(Run{offset, spare_buffer()});
    if (queue_.size() > 1) queued_.notify_one();  // The run before is complete.
  }
  queue_.back().bytes.append(static_cast<const char*>(data), size);
  queued_bytes_ += size;
  return SQLITE_OK;
}

int LogWriter::read(void* out, int amount, sqlite3_int64 offset) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (queue_.empty() && writing_.empty()) {
    lock.unlock();  // Nothing in flight: the file is as written.
    return real_->pMethods->xRead(real_, out, amount, offset);
  }
  const sqlite3_int64 end = offset + amount;
  // The newest write of a range wins: the queue's last run first.
  const Run* overlapping = nullptr;
  for (auto it = queue_.rbegin(); overlapping == nullptr && it != queue_.rend(); ++it) {
    if (it->overlaps(offset, end)) overlapping = &*it;
  }
  for (auto it = writing_.rbegin(); overlapping == nullptr && it != writing_.rend(); ++it) {
    if (it->overlaps(offset, end)) overlapping = &*it;
  }
  if (overlapping != nullptr && overlapping->offset <= offset && end <= overlapping->end()) {
    // Being written meanwhile is fine: the thread only reads the run too.
    std::memcpy(out, overlapping->bytes.data() + (offset - overlapping->offset),
                static_cast<std::size_t>(amount));
    return SQLITE_OK;
  }
  if (overlapping == nullptr && open_own_fd()) {
    // Not touched by any write in flight: the file holds it already. Read
    // on a descriptor of our own, since the thread uses SQLite's.
    lock.unlock();
    return read_own(out, amount, offset);
  }
  wait_for_writes(lock);
  if (error_ != SQLITE_OK) return take_error();
  lock.unlock();
  return real_->pMethods->xRead(real_, out, amount, offset);
}

int LogWriter::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  wait_for_writes(lock);
  return take_error();
}

void LogWriter::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  wait_for_writes(lock);
}

bool LogWriter::start() {
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error&) {
    return false;
  }
  started_ = true;
  return true;
}

void LogWriter::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LogWriter::wait_for_writes(std::unique_lock<std::mutex>& lock) {
  ++waiting_;
  queued_.notify_one();
  written_.wait(lock, [&] { return queue_.empty() && writing_.empty(); });
  --waiting_;
}

int LogWriter::take_error() { return std::exchange(error_, SQLITE_OK); }

std::string LogWriter::spare_buffer() {
  if (spares_.empty()) return {};
  std::string buffer = std::move(spares_.back());
  spares_.pop_back();
  buffer.clear();
  return buffer;
}

bool LogWriter::open_own_fd() {
  if (own_fd_ < 0) own_fd_ = ::open(path_, O_RDONLY | O_CLOEXEC);
  return own_fd_ >= 0;
}

// pread() with SQLite's rules: a read past the end fills with zeros and
// says so.
int LogWriter::read_own(void* out, int amount, sqlite3_int64 offset) {
  auto* at = static_cast<char*>(out);
  std::size_t left = static_cast<std::size_t>(amount);
  while (left > 0) {
    const ssize_t got = ::pread(own_fd_, at, left, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return SQLITE_IOERR_READ;
    if (got == 0) {
      std::memset(at, 0, left);
      return SQLITE_IOERR_SHORT_READ;
    }
    at += got;
    left -= static_cast<std::size_t>(got);
    offset += got;
  }
  return SQLITE_OK;
}

void LogWriter::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    queued_.wait(
        lock, [&] { return queue_.size() > 1 || (waiting_ > 0 && !queue_.empty()) || stopping_; });
    if (queue_.empty()) return;  // Stopping, with nothing left to write.
    // Complete runs; the last one too when someone waits or at the end.
    const bool everything = waiting_ > 0 || stopping_;
    while (queue_.size() > (everything ? 0u : 1u)) {
      writing_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    // Mid-transaction (nobody waits), the kernel is asked to write these
    // out at once, so that the commit's sync finds little left to write; a
    // waiter's sync follows anyway.
    const bool write_out = !everything && open_own_fd();
    lock.unlock();
    int error = SQLITE_OK;
    std::size_t written = 0;
    for (const Run& run : writing_) {
      const int rc = real_->pMethods->xWrite(real_, run.bytes.data(),
                                             static_cast<int>(run.bytes.size()), run.offset);
      if (rc != SQLITE_OK && error == SQLITE_OK) error = rc;
      written += run.bytes.size();
    }
#ifdef __linux__
    // Advisory: starts the write-out without waiting; an error shows at the
    // commit's sync.
    if (write_out) ::sync_file_range(own_fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    lock.lock();
    if (error != SQLITE_OK && error_ == SQLITE_OK) error_ = error;
    queued_bytes_ -= written;
    for (Run& run : writing_) {
      if (spares_.size() < kSpareRuns) spares_.push_back(std::move(run.bytes));
    }
    writing_.clear();
    room_.notify_all();
    written_.notify_all();
  }
}

}  // namespace databus
