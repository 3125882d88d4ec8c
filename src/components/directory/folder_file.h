// Reading one file of the directory puller's folder without leaving it
// (docs/security.md, "Host access"): whoever can drop files into the folder
// must not make Databus read files elsewhere that its user may read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "databus/attachment_content.h"

namespace databus::directory_internal {

// What reading one entry of a folder gave.
struct FolderFile {
  enum class Outcome {
    read,     // `attachment`, `size` and `mtime_ns` are set.
    skipped,  // Not a regular file (a folder, a FIFO, a dangling link) or gone.
    outside,  // A symbolic link leading out of the folder; `detail` names the target.
    changed,  // Changed (or replaced by a link) while it was read.
    failed,   // An I/O error; `detail` says which.
  };
  Outcome outcome = Outcome::skipped;
  // Named `name`; its content in memory, or spooled when the file is larger
  // than the spool threshold. Its format: text when the content (a spooled
  // one's first chunk) is UTF-8 without NUL, else binary.
  Attachment attachment;
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
// target), taken from the open file before and after the read. The file is
// read in chunks (docs/architecture.md "Large attachments"); a spooled copy
// is durable when this returns, so the file may be moved afterwards.
// REQUIRES: `name` is a plain name (no '/'), as a directory listing gives.
FolderFile read_folder_file(const std::filesystem::path& folder, const std::string& name,
                            const SpoolSettings& spool);

}  // namespace databus::directory_internal
