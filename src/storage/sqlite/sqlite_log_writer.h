// LogWriter: the queued writes of one SQLite write-ahead log file and the
// thread that makes them (the write-behind VFS, sqlite_write_behind.h).
// After the runs it writes in the middle of a transaction, the thread asks
// the kernel to start writing them out (sync_file_range), so that the
// commit's sync waits for the tail only.
//
// Writes that continue one another are gathered into runs; the thread takes
// a run once the next write could not join it, or every run when a caller
// waits for them (drain(), wait()) or the object is destroyed. The thread
// starts at the first write: a log that is only read (a reader connection's)
// costs no thread.
//
// Thread-safety: write(), read(), drain() and wait() are called by SQLite
// for one connection at a time; drain() and wait() may also be called from
// any thread (the VFS drains a database's logs when a connection gives up
// its write lock).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace databus {

class LogWriter {
 public:
  // `real`: the default VFS's open file the writes go to. `path`: the log's
  // name, read from when a read must not wait (the thread uses `real`);
  // both must outlive the object.
  LogWriter(sqlite3_file* real, const char* path);
  // Makes the queued writes, then stops the thread.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Queues a copy of `data` for `offset`; the error of an earlier write
  // that failed, if any, instead.
  int write(const void* data, int amount, sqlite3_int64 offset);

  // Reads as the file will be once the queued writes are made: from a
  // queued run that holds the range, else from the file when no queued
  // write touches it, else after the writes.
  int read(void* out, int amount, sqlite3_int64 offset);

  // Waits until every queued write is made; the error of one that failed
  // (reported once), or SQLITE_OK.
  int drain();

  // Waits as drain() does, leaving an error for the next call that reports.
  void wait();

  // SQLite writes a frame as a header and a page at the next offsets;
  // writes that continue one another are gathered into one system call of
  // up to this size. The default VFS writes less than 128 KiB per call (it
  // masks the length to 17 bits), so a run must stay below that.
  static constexpr std::size_t kRunBytes = std::size_t{64} << 10;
  // write() waits once this much is queued: memory stays bounded when the
  // disk is slower than the transaction.
  static constexpr std::size_t kQueuedBytesMax = std::size_t{8} << 20;

 private:
  struct Run {
    sqlite3_int64 offset;
    std::string bytes;
    sqlite3_int64 end() const { return offset + static_cast<sqlite3_int64>(bytes.size()); }
    bool overlaps(sqlite3_int64 from, sqlite3_int64 to) const {
      return from < end() && offset < to;
    }
  };

  bool start();  // REQUIRES: mutex_ held.
  void stop();
  // REQUIRES: `lock` holds mutex_.
  void wait_for_writes(std::unique_lock<std::mutex>& lock);
  int take_error();            // REQUIRES: mutex_ held.
  std::string spare_buffer();  // REQUIRES: mutex_ held.
  bool open_own_fd();          // REQUIRES: mutex_ held.
  int read_own(void* out, int amount, sqlite3_int64 offset);
  void run();  // The thread.

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
  std::vector<std::string> spares_;  // Buffers of finished runs, for new ones.
  std::size_t queued_bytes_ = 0;     // Queued or being written.
  int waiting_ = 0;                  // Callers in wait_for_writes().
  bool started_ = false;
  bool stopping_ = false;
  int error_ = SQLITE_OK;
  // The log opened by this object, on first need: for reads that must not
  // wait (the thread uses SQLite's descriptor) and the write-out requests.
  // Set once under mutex_, then only read.
  int own_fd_ = -1;
  std::thread thread_;
};

}  // namespace databus
