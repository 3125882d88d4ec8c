// Crash-safe file writes: after a crash at any instant a reader sees either the
// old or the new content of a file, never a mix or a truncated file.
//
// The technique is the usual one: write a temporary file in the same directory,
// make its data durable, rename it over the target (rename is atomic within a
// file system), then make the directory entry durable by syncing the directory.
// WriteBatch does the same for many files at once and pays the sync cost once
// per batch instead of once per file.
//
// Every function throws StorageError naming the path on an I/O failure; a
// failed write leaves the target as it was and removes its temporary file.
//
// Thread-safety: the functions are thread-safe; a WriteBatch is not (one owner).
// Two writers of the same path at the same time are the caller's problem.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace databus::durable {

// Replaces (or creates) `path` with `content`, durably and atomically.
// REQUIRES: the parent directory exists.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Makes the entries of directory `dir` (creations, renames, removals) durable.
void sync_directory(const std::filesystem::path& dir);

// Makes everything written to the file system that holds `any` durable
// (syncfs): one call instead of an fsync() per file, for many files.
void sync_file_system(const std::filesystem::path& any);

// Makes the data of every file of `files` and the entries of every directory
// of `directories` durable: one fsync() each, or, when they are more than a
// few (16), one syncfs() of the file system holding the first. For a writer
// that writes many files with write_file() and publishes them afterwards.
// REQUIRES: all on one file system.
void sync_paths(const std::vector<std::filesystem::path>& files,
                const std::vector<std::filesystem::path>& directories);

// What identifies one version of a file's content without reading it: inode,
// size, modification time. A file rewritten within the file system's clock
// tick at the same size keeps its version (the caller's risk to accept).
struct FileVersion {
  std::uint64_t inode = 0, size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileVersion&) const = default;
};

// The version of `path` now (stat); nullopt when it cannot be stat'ed.
std::optional<FileVersion> version_of(const std::filesystem::path& path);
// The same for `relative` to the directory open as `dir_fd` (fstatat).
std::optional<FileVersion> version_at(int dir_fd, const std::string& relative);

// The writes below are not durable on return: they are for engines that
// journal a change first (journal_file.h) and sync the files later. Given
// `version`, they store there the version of the file they wrote, taken from
// the open file (fstat) so that the caller needs no stat() of its own.

// Writes `content` to `path` (created or truncated).
void write_file(const std::filesystem::path& path, std::string_view content,
                FileVersion* version = nullptr);

// Overwrites `path` with `content` so that, should the writer die at any
// instant, the file holds either its old bytes or `content` followed by `pad`
// bytes up to the old size. When old and new fit in one page: one write of
// the content, padded to the old size, over the same inode (no new inode,
// nothing deleted, the size never shrinks); otherwise a temporary file
// renamed over it. A text format that ignores trailing blanks (JSON, with pad
// ' ') stays readable at every instant. False (nothing written) when `path`
// does not exist.
bool overwrite_file(const std::filesystem::path& path, std::string_view content, char pad,
                    FileVersion* version = nullptr);

// Replaces (or creates) `path` with `content` atomically (written beside,
// renamed) but syncs nothing: a reader never sees a partial file while the
// system runs, but a power loss may leave the old file, none, or an empty
// one. REQUIRES: the parent directory exists.
void replace_file_unsynced(const std::filesystem::path& path, std::string_view content);

// Creates `dir` and missing parents; makes each new entry durable by syncing
// the parent of every directory it created.
void create_directories_durably(const std::filesystem::path& dir);

// Removes `path` (file or directory tree, if it exists) and syncs its parent.
void remove_durably(const std::filesystem::path& path);

// Reads the whole file. Throws StorageError naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

// A temporary name beside `path`: "<name>.tmp-<16 hex digits>", the final
// name cut to its first 234 bytes when longer, so that the temporary name
// never exceeds NAME_MAX (255 bytes) when the final name fits in it. Names
// containing ".tmp-" are what a crash can leave behind; scanners ignore and
// remove them. A write failing for lack of space throws NoSpaceError.
std::filesystem::path temporary_sibling(const std::filesystem::path& path);
// True when `name` (a file or directory name) is such a leftover.
bool is_temporary_name(std::string_view name);

// Many writes made durable together. Typical use:
//
//   WriteBatch batch;
//   batch.replace(dir / "a.json", a);           // atomic replacement
//   batch.create(staging / "passenger.json", p); // plain file in a staging dir
//   batch.rename(staging, final_dir);           // publish after the data is durable
//   batch.commit();
//
// commit() first makes every written byte durable (one fsync per file for small
// batches, one syncfs() for large ones), then performs the renames in the order
// they were added, then syncs each directory a rename touched, once (or the
// file system once when they are many). Each file
// (and each renamed directory) appears atomically; the batch as a whole does
// not: after a crash in commit() a prefix of the renames may be visible.
// Destroying an uncommitted batch removes its temporary files (not the
// staging files created with create(), which belong to the caller).
class WriteBatch {
 public:
  WriteBatch() = default;
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;
  ~WriteBatch();

  // Writes `content` to a temporary sibling now; it replaces `path` at commit().
  void replace(const std::filesystem::path& path, std::string_view content);
  // Writes `content` to `path` now, in place. For files inside a directory
  // that is not visible yet (a staging directory published by rename()).
  void create(const std::filesystem::path& path, std::string_view content);
  // Creates directory `dir` now (parents must exist); synced at commit().
  void create_directory(const std::filesystem::path& dir);
  // Renames `from` to `to` at commit(), after the data is durable.
  void rename(const std::filesystem::path& from, const std::filesystem::path& to);

  // Number of files written so far.
  std::size_t size() const { return written_.size(); }
  void commit();

 private:
  struct Rename {
    std::filesystem::path from, to;
  };
  std::vector<std::filesystem::path> written_;      // Files whose data must be synced.
  std::vector<std::filesystem::path> directories_;  // Created directories to sync.
  std::vector<Rename> renames_;
  std::vector<std::filesystem::path> temporaries_;  // Removed if not committed.
  bool committed_ = false;
};

}  // namespace databus::durable
