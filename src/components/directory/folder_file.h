// Reading one file of the directory puller's folder without leaving it
// (docs/security.md, "Host access"): whoever can drop files into the folder
// must not make Databus read files elsewhere that its user may read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace databus::directory_internal {

// What reading one entry of a folder gave.
struct FolderFile {
  enum class Outcome {
    read,     // `content`, `size` and `mtime_ns` are set.
    skipped,  // Not a regular file (a folder, a FIFO, a dangling link) or gone.
    outside,  // A symbolic link leading out of the folder; `detail` names the target.
    changed,  // Changed (or replaced by a link) while it was read.
    failed,   // An I/O error; `detail` says which.
  };
  Outcome outcome = Outcome::skipped;
  std::string content;
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string detail;
};

// Reads the entry `name` of `folder`. A symbolic link is followed only when
// the file it leads to (every link on the way resolved) lies inside `folder`
// itself or one of its subfolders; that file is then opened component by
// component from `folder` refusing links (O_NOFOLLOW), so a link swapped in
// meanwhile is not followed either. A regular file is opened with
// O_NOFOLLOW. Size and mtime are those of the file read (for a link: of its
// target), taken from the open file before and after the read.
// REQUIRES: `name` is a plain name (no '/'), as a directory listing gives.
FolderFile read_folder_file(const std::filesystem::path& folder, const std::string& name);

}  // namespace databus::directory_internal
