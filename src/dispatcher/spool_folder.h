// The folder where a dispatcher's components spool large attachments
// (docs/architecture.md "Large attachments"): <data dir>/.spool/<uuid>/, one
// per process, locked while it lives (durable::DirectoryLock), so that a
// process that starts removes what dead processes left (a crash between a
// puller's spool and the store's copy leaves an unreferenced file) and never
// what a live one (a `databus drive` beside `databus run` on PostgreSQL) uses.
//
// Thread-safety: immutable after construction.
#pragma once

#include <filesystem>
#include <memory>

#include "fs/directory_lock.h"

namespace databus::dispatch {

inline constexpr char kSpoolFolder[] = ".spool";

class SpoolFolder {
 public:
  // Creates and locks a new folder under <data_dir>/.spool after removing
  // the folders there that no live process holds. Throws StorageError
  // naming the path when it cannot be created.
  explicit SpoolFolder(const std::filesystem::path& data_dir);
  SpoolFolder(const SpoolFolder&) = delete;
  SpoolFolder& operator=(const SpoolFolder&) = delete;
  // Removes the folder (spool files still referenced keep their bytes
  // until their handles go, as unlinked files do).
  ~SpoolFolder();

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<durable::DirectoryLock> lock_;
};

}  // namespace databus::dispatch
