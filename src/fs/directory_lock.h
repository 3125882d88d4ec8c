// DirectoryLock: exclusive use of a data directory by one Databus process.
//
// Taking the lock creates `<dir>/.lock`, holds an exclusive flock() on it and
// writes the holder's pid into it, so a refusal can say who holds it. The
// kernel drops the flock when the process dies, so a crash never leaves a
// stale lock behind. Within one process a second lock of the same directory
// is refused too (flock alone would allow it through a second descriptor).
//
// Thread-safety: construction and destruction are thread-safe.
#pragma once

#include <filesystem>
#include <string>

namespace databus::durable {

class DirectoryLock {
 public:
  // Locks `dir` (created when missing). Throws StorageError "data directory
  // <dir> is in use by another Databus process (pid N)" when held elsewhere,
  // and StorageError naming the path on an I/O failure.
  explicit DirectoryLock(const std::filesystem::path& dir);
  // Locks the store `what` (e.g. "SQLite database /srv/db.sqlite") through
  // the lock file `lock_file`, whose folder must exist; refusals say "<what>
  // is in use by another Databus process (pid N)".
  DirectoryLock(const std::filesystem::path& lock_file, const std::string& what);
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  // Releases the lock.
  ~DirectoryLock();

 private:
  void take(const std::filesystem::path& lock_file, const std::string& what);

  std::string key_;  // Canonical lock file, for the in-process registry.
  int fd_ = -1;
};

}  // namespace databus::durable
