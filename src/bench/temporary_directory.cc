#include "bench/temporary_directory.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

#include "databus/uuid.h"

namespace databus::bench {
namespace {

namespace stdfs = std::filesystem;

// Asks the file system to place the directories made in `dir` as it places
// top-level ones (FS_TOPDIR_FL; ext2/3/4 spread them over block groups).
// Best effort: other file systems refuse or ignore the flag.
//
// Why: ext4 without a journal avoids reusing inodes freed in the last tens
// of seconds and scans past every one of them at each file it creates. A
// store made next to the tens of thousands of files a previous run (or a
// test suite) just deleted then creates files 30 times slower (JSON DB W1
// under 1,000/s instead of 7,000/s; docs/performance.md, "A file system
// that remembers deletions"), which measures the file system's past, not
// the engine.
void place_like_top_level(const stdfs::path& dir) {
#ifdef __linux__
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
    flags |= FS_TOPDIR_FL;
    ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  ::close(fd);
#endif
}

}  // namespace

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern = (stdfs::temp_directory_path() / "databus-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temporary directory under " +
                             stdfs::temp_directory_path().string());
  }
  path_ = pattern;
  place_like_top_level(path_);
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ec;
  stdfs::remove_all(path_, ec);
}

std::string fresh_name(const std::string& prefix) {
  // The random end of a version 7 UUID: its start is the time, the same for
  // runs a minute apart.
  return prefix + new_uuid().substr(24);
}

}  // namespace databus::bench
