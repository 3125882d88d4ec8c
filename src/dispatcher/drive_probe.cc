#include "dispatcher/drive_probe.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>

namespace databus::dispatch {
namespace {

const char* probe_dir() {
  static const char* dir = [] {
    const char* d = std::getenv("DATABUS_DRIVE_PROBE");
    return d != nullptr && *d != '\0' ? d : nullptr;
  }();
  return dir;
}

}  // namespace

DriveProbe::DriveProbe(const std::string& client_id, const std::string& passenger,
                       std::int64_t token, const std::string& node) {
  const char* dir = probe_dir();
  if (dir == nullptr) return;
  const std::string base = std::string(dir) + "/" + client_id + "." + passenger;
  log_path_ = base + ".log";
  tail_ = " " + std::to_string(token) + " " + node + "\n";
  lock_fd_ = ::open((base + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  const bool locked = lock_fd_ >= 0 && ::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0;
  append(locked ? "begin" : "overlap");
}

DriveProbe::~DriveProbe() {
  if (log_path_.empty()) return;
  append("end");
  if (lock_fd_ >= 0) ::close(lock_fd_);  // Frees the lock.
}

void DriveProbe::append(const std::string& word) const {
  // One write(2) with O_APPEND: lines of several processes never interleave.
  const int fd = ::open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const std::string line = word + tail_;
  [[maybe_unused]] const ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
}

}  // namespace databus::dispatch
