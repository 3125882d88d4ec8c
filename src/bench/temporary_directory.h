// The fresh, private directory a bench run keeps its store (and outbox) in,
// removed with everything in it when the run ends on any path.
#pragma once

#include <filesystem>

namespace databus::bench {

// A new, empty directory under the system's temporary directory (TMPDIR),
// removed (with everything in it) when the object dies. Throws
// std::runtime_error naming the parent directory when it cannot be made.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A name of its own per run for a store or folder: `prefix` and 12 random
// hex digits. ext4 places a top-level directory by its name, so a name
// reused run after run would land in the block groups the previous run just
// freed (docs/performance.md, "A file system that remembers deletions").
std::string fresh_name(const std::string& prefix);

}  // namespace databus::bench
