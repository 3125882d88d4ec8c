// DriveProbe: a witness of drives for the cluster tests (tests/cluster), as
// failpoints are for the crash test (src/model/failpoint.h). When the
// environment variable DATABUS_DRIVE_PROBE names a directory, every drive
// holds a non-blocking flock(2) on <dir>/<client>.<passenger>.lock for its
// whole length and appends to <dir>/<client>.<passenger>.log a line
// "begin <token> <node>" when it starts and "end <token> <node>" when it
// ends; when the lock is held already (two drives of one client passenger
// overlap, on any node of the machine) it writes "overlap <token> <node>"
// instead of "begin". Without the variable it does nothing and costs one
// getenv per process.
#pragma once

#include <cstdint>
#include <string>

namespace databus::dispatch {

class DriveProbe {
 public:
  // `token`: the drive's lease token (0 without a cluster); `node`: the
  // node's id (empty without a cluster).
  DriveProbe(const std::string& client_id, const std::string& passenger, std::int64_t token,
             const std::string& node);
  ~DriveProbe();
  DriveProbe(const DriveProbe&) = delete;
  DriveProbe& operator=(const DriveProbe&) = delete;

 private:
  void append(const std::string& line) const;

  std::string log_path_;  // Empty: the probe is off.
  std::string tail_;      // " <token> <node>\n".
  int lock_fd_ = -1;
};

}  // namespace databus::dispatch
