#include "fs/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "databus/error.h"

namespace databus::durable {
namespace {

std::mutex registry_mutex;
std::set<std::string>& locked_in_this_process() {
  static std::set<std::string> dirs;
  return dirs;
}

std::string read_pid(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

[[noreturn]] void in_use(const std::string& what, const std::string& pid) {
  throw StorageError(what + " is in use by another Databus process (pid " + pid + ")");
}

}  // namespace

DirectoryLock::DirectoryLock(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw StorageError("cannot create data directory " + dir.string() + ": " + ec.message());
  take(dir / ".lock", "data directory " + dir.string());
}

DirectoryLock::DirectoryLock(const std::filesystem::path& lock_file, const std::string& what) {
  take(lock_file, what);
}

void DirectoryLock::take(const std::filesystem::path& path, const std::string& what) {
  key_ = std::filesystem::weakly_canonical(path).string();
  std::lock_guard<std::mutex> guard(registry_mutex);
  if (locked_in_this_process().count(key_) != 0) in_use(what, std::to_string(::getpid()));
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw StorageError("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string pid = read_pid(fd_);
    ::close(fd_);
    if (err == EWOULDBLOCK) in_use(what, pid);
    throw StorageError("cannot lock " + path.string() + ": " + std::strerror(err));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    int err = errno;
    ::close(fd_);
    throw StorageError("cannot write " + path.string() + ": " + std::strerror(err));
  }
  locked_in_this_process().insert(key_);
}

DirectoryLock::~DirectoryLock() {
  std::lock_guard<std::mutex> guard(registry_mutex);
  locked_in_this_process().erase(key_);
  ::close(fd_);  // Releases the flock.
}

}  // namespace databus::durable
