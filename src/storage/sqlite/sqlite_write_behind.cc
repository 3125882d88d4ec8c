#include "storage/sqlite/sqlite_write_behind.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace databus {
namespace {

constexpr char kVfsName[] = "databus-write-behind";
// SQLite writes a frame as a header and a page at the next offsets; writes
// that continue one another are gathered into one system call of up to
// this size. The default VFS writes less than 128 KiB per call (it masks
// the length to 17 bits), so a run must stay below that.
constexpr std::size_t kRunBytes = std::size_t{64} << 10;
// The writing connection waits once this much is queued: memory stays
// bounded when the disk is slower than the transaction.
constexpr std::size_t kQueuedBytesMax = std::size_t{8} << 20;

// The queued writes of one log file and the thread that makes them.
//
// Writes that continue one another are gathered into runs; the thread takes
// a run once the next write could not join it, or every run when a caller
// waits for them (a sync, a truncation) or the file closes.
class LogWriter {
 public:
  // `path` (the log's name) must outlive the object.
  LogWriter(sqlite3_file* real, const char* path) : real_(real), path_(path) {}
  ~LogWriter() {
    stop();
    if (read_fd_ >= 0) ::close(read_fd_);
  }
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Queues a copy of `data` for `offset`; the error of an earlier write
  // that failed, if any, instead.
  int write(const void* data, int amount, sqlite3_int64 offset) {
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

  // Reads as the file will be once the queued writes are made: from a queued
  // run that holds the range, else from the file when no queued write
  // touches it, else after the writes.
  int read(void* out, int amount, sqlite3_int64 offset) {
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
    if (overlapping == nullptr && open_read_fd()) {
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

  // Waits until every queued write is made; the error of one that failed
  // (reported once), or SQLITE_OK.
  int drain() {
    std::unique_lock<std::mutex> lock(mutex_);
    wait_for_writes(lock);
    return take_error();
  }

  // Waits as drain() does, leaving an error for the next call that reports.
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    wait_for_writes(lock);
  }

 private:
  struct Run {
    sqlite3_int64 offset;
    std::string bytes;
    sqlite3_int64 end() const { return offset + static_cast<sqlite3_int64>(bytes.size()); }
    bool overlaps(sqlite3_int64 from, sqlite3_int64 to) const {
      return from < end() && offset < to;
    }
  };

  // REQUIRES: mutex_ held.
  bool start() {
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error&) {
      return false;
    }
    started_ = true;
    return true;
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    queued_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  // REQUIRES: `lock` holds mutex_.
  void wait_for_writes(std::unique_lock<std::mutex>& lock) {
    ++waiting_;
    queued_.notify_one();
    written_.wait(lock, [&] { return queue_.empty() && writing_.empty(); });
    --waiting_;
  }

  // REQUIRES: mutex_ held.
  int take_error() { return std::exchange(error_, SQLITE_OK); }

  // A buffer for a new run, reusing one a finished run left (its memory is
  // then already the process's: no page faults).
  // REQUIRES: mutex_ held.
  std::string spare_buffer() {
    if (spares_.empty()) return {};
    std::string buffer = std::move(spares_.back());
    spares_.pop_back();
    buffer.clear();
    return buffer;
  }

  // REQUIRES: mutex_ held.
  bool open_read_fd() {
    if (read_fd_ < 0) read_fd_ = ::open(path_, O_RDONLY | O_CLOEXEC);
    return read_fd_ >= 0;
  }

  // pread() with SQLite's rules: a read past the end fills with zeros and
  // says so.
  int read_own(void* out, int amount, sqlite3_int64 offset) {
    auto* at = static_cast<char*>(out);
    std::size_t left = static_cast<std::size_t>(amount);
    while (left > 0) {
      const ssize_t got = ::pread(read_fd_, at, left, offset);
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

  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      queued_.wait(lock, [&] {
        return queue_.size() > 1 || (waiting_ > 0 && !queue_.empty()) || stopping_;
      });
      if (queue_.empty()) return;  // Stopping, with nothing left to write.
      // Complete runs; the last one too when someone waits or at the end.
      const bool everything = waiting_ > 0 || stopping_;
      while (queue_.size() > (everything ? 0u : 1u)) {
        writing_.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      lock.unlock();
      int error = SQLITE_OK;
      std::size_t written = 0;
      for (const Run& run : writing_) {
        const int rc = real_->pMethods->xWrite(real_, run.bytes.data(),
                                               static_cast<int>(run.bytes.size()), run.offset);
        if (rc != SQLITE_OK && error == SQLITE_OK) error = rc;
        written += run.bytes.size();
      }
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

  static constexpr std::size_t kSpareRuns = kQueuedBytesMax / kRunBytes + 2;

  sqlite3_file* const real_;
  const char* const path_;
  std::mutex mutex_;
  std::condition_variable queued_;   // The thread waits for runs or waiters.
  std::condition_variable room_;     // write() waits for the queue to shrink.
  std::condition_variable written_;  // Callers wait for every write.
  std::deque<Run> queue_;            // Not yet taken by the thread; the last may grow.
  // Taken by the thread and being written. Changed under mutex_ only; the
  // thread reads the runs' bytes without it, as read() does with it.
  std::deque<Run> writing_;
  std::vector<std::string> spares_;
  std::size_t queued_bytes_ = 0;  // Queued or being written.
  int waiting_ = 0;               // Callers in wait_for_writes().
  bool started_ = false;
  bool stopping_ = false;
  int error_ = SQLITE_OK;
  int read_fd_ = -1;  // The log opened for reading, on first need.
  std::thread thread_;
};

// A log file as SQLite sees it: `base` first, then the default VFS's own
// file object, at kRealOffset.
struct BehindFile {
  sqlite3_file base;
  sqlite3_file* real;
  LogWriter* writer;
};
constexpr std::size_t kRealOffset = (sizeof(BehindFile) + 15) & ~std::size_t{15};

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
BehindFile* behind(sqlite3_file* file) { return reinterpret_cast<BehindFile*>(file); }

// Waits for the queued writes, then runs `call` on the default VFS's file.
template <class Call>
int after_writes(sqlite3_file* file, Call call) {
  BehindFile* f = behind(file);
  const int rc = f->writer->drain();
  if (rc != SQLITE_OK) return rc;
  return call(f->real, f->real->pMethods);
}

int behind_close(sqlite3_file* file) {
  BehindFile* f = behind(file);
  const int drained = f->writer->drain();
  delete f->writer;  // Joins the thread.
  f->writer = nullptr;
  const int closed = f->real->pMethods->xClose(f->real);
  return drained != SQLITE_OK ? drained : closed;
}

int behind_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return behind(file)->writer->read(out, amount, offset);
}

int behind_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  return behind(file)->writer->write(data, amount, offset);
}

int behind_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xTruncate(real, size);
  });
}

int behind_sync(sqlite3_file* file, int flags) {
  return after_writes(
      file, [&](sqlite3_file* real, const sqlite3_io_methods* m) { return m->xSync(real, flags); });
}

int behind_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xFileSize(real, size);
  });
}

int behind_lock(sqlite3_file* file, int level) {
  return after_writes(
      file, [&](sqlite3_file* real, const sqlite3_io_methods* m) { return m->xLock(real, level); });
}

int behind_unlock(sqlite3_file* file, int level) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xUnlock(real, level);
  });
}

int behind_check_reserved_lock(sqlite3_file* file, int* out) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xCheckReservedLock(real, out);
  });
}

int behind_file_control(sqlite3_file* file, int op, void* argument) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xFileControl(real, op, argument);
  });
}

// The two below report properties, not errors: they wait all the same,
// which keeps the default VFS's file object on one thread at a time.
int behind_sector_size(sqlite3_file* file) {
  BehindFile* f = behind(file);
  f->writer->wait();
  return f->real->pMethods->xSectorSize(f->real);
}

int behind_device_characteristics(sqlite3_file* file) {
  BehindFile* f = behind(file);
  f->writer->wait();
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// A log file has no shared memory or memory map of its own (those of the
// database file serve); these forward for completeness.
int behind_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 2 ? m->xShmMap(real, page, page_size, extend, out) : SQLITE_IOERR;
  });
}

int behind_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 2 ? m->xShmLock(real, offset, n, flags) : SQLITE_IOERR;
  });
}

void behind_shm_barrier(sqlite3_file* file) {
  after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    if (m->iVersion >= 2) m->xShmBarrier(real);
    return SQLITE_OK;
  });
}

int behind_shm_unmap(sqlite3_file* file, int delete_flag) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 2 ? m->xShmUnmap(real, delete_flag) : SQLITE_OK;
  });
}

int behind_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  *out = nullptr;  // No memory map: SQLite reads instead.
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 3 ? m->xFetch(real, offset, amount, out) : SQLITE_OK;
  });
}

int behind_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 3 ? m->xUnfetch(real, offset, p) : SQLITE_OK;
  });
}

const sqlite3_io_methods kBehindMethods = {
    3,
    behind_close,
    behind_read,
    behind_write,
    behind_truncate,
    behind_sync,
    behind_file_size,
    behind_lock,
    behind_unlock,
    behind_check_reserved_lock,
    behind_file_control,
    behind_sector_size,
    behind_device_characteristics,
    behind_shm_map,
    behind_shm_lock,
    behind_shm_barrier,
    behind_shm_unmap,
    behind_fetch,
    behind_unfetch,
};

int behind_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                int* out_flags) {
  sqlite3_vfs* real = real_vfs(vfs);
  // Any other file is the default VFS's own object, at the same address.
  if ((flags & SQLITE_OPEN_WAL) == 0) return real->xOpen(real, name, file, flags, out_flags);
  BehindFile* f = behind(file);
  f->base.pMethods = nullptr;  // SQLite closes nothing if the open fails.
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  f->writer = nullptr;
  const int rc = real->xOpen(real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  f->writer = new (std::nothrow) LogWriter(f->real, name);
  if (f->writer == nullptr) {
    f->real->pMethods->xClose(f->real);
    return SQLITE_NOMEM;
  }
  f->base.pMethods = &kBehindMethods;
  return SQLITE_OK;
}

// The rest is the default VFS's, called with its own object.
int forward_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
}
int forward_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, out);
}
int forward_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, size, out);
}
void* forward_dl_open(sqlite3_vfs* vfs, const char* name) {
  return real_vfs(vfs)->xDlOpen(real_vfs(vfs), name);
}
void forward_dl_error(sqlite3_vfs* vfs, int size, char* out) {
  real_vfs(vfs)->xDlError(real_vfs(vfs), size, out);
}
void (*forward_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return real_vfs(vfs)->xDlSym(real_vfs(vfs), handle, symbol);
}
void forward_dl_close(sqlite3_vfs* vfs, void* handle) {
  real_vfs(vfs)->xDlClose(real_vfs(vfs), handle);
}
int forward_randomness(sqlite3_vfs* vfs, int size, char* out) {
  return real_vfs(vfs)->xRandomness(real_vfs(vfs), size, out);
}
int forward_sleep(sqlite3_vfs* vfs, int microseconds) {
  return real_vfs(vfs)->xSleep(real_vfs(vfs), microseconds);
}
int forward_current_time(sqlite3_vfs* vfs, double* out) {
  return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
}
int forward_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return real_vfs(vfs)->xGetLastError(real_vfs(vfs), size, out);
}
int forward_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
}

sqlite3_vfs* make_vfs() {
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr || real->iVersion < 2) return nullptr;
  static sqlite3_vfs vfs;
  std::memset(&vfs, 0, sizeof vfs);
  vfs.iVersion = 2;  // No system call overrides (version 3) through this one.
  vfs.szOsFile = static_cast<int>(kRealOffset) + real->szOsFile;
  vfs.mxPathname = real->mxPathname;
  vfs.zName = kVfsName;
  vfs.pAppData = real;
  vfs.xOpen = behind_open;
  vfs.xDelete = forward_delete;
  vfs.xAccess = forward_access;
  vfs.xFullPathname = forward_full_pathname;
  vfs.xDlOpen = forward_dl_open;
  vfs.xDlError = forward_dl_error;
  vfs.xDlSym = forward_dl_sym;
  vfs.xDlClose = forward_dl_close;
  vfs.xRandomness = forward_randomness;
  vfs.xSleep = forward_sleep;
  vfs.xCurrentTime = forward_current_time;
  vfs.xGetLastError = forward_get_last_error;
  vfs.xCurrentTimeInt64 = forward_current_time_int64;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

const char* sqlite_write_behind_vfs() {
  static sqlite3_vfs* const vfs = make_vfs();
  return vfs == nullptr ? nullptr : vfs->zName;
}

}  // namespace databus
