// Running out of space: the errors that mean "the file system is full", the
// exception they become, and what the process remembers of the last one so
// that /readyz can say why the node makes no progress (docs/api.md).
//
// Thread-safety: thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace databus::durable {

// True for ENOSPC and EDQUOT.
bool is_no_space(int err);

// Throws NoSpaceError (is_no_space(err), after note_no_space(path)) or
// StorageError: "<what> <path>: <strerror(err)>".
[[noreturn]] void throw_io_error(const std::string& what, const std::filesystem::path& path,
                                 int err);

// Remembers that a write of `path` failed for lack of space.
void note_no_space(const std::filesystem::path& path);
// A later write succeeded: space is back (cheap when nothing was noted).
void note_write_succeeded();

// Why the file system holding `dir` cannot take writes now, or nullopt: it has
// no free block or no free inode left for this process (statvfs), or the last
// write that failed for lack of space was of a path under `dir` (as spelled
// by the caller) and has had no successful write after it.
std::optional<std::string> no_space_reason(const std::filesystem::path& dir);

}  // namespace databus::durable
