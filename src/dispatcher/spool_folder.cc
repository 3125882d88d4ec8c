#include "dispatcher/spool_folder.h"

#include "databus/error.h"
#include "databus/uuid.h"
#include "logging/process_log.h"

namespace databus::dispatch {

namespace stdfs = std::filesystem;

SpoolFolder::SpoolFolder(const stdfs::path& data_dir) {
  const stdfs::path root = data_dir / kSpoolFolder;
  std::error_code ec;
  for (const stdfs::directory_entry& item : stdfs::directory_iterator(root, ec)) {
    if (!item.is_directory(ec)) continue;
    try {
      // Taken: its process is gone, and nothing refers to its files.
      { durable::DirectoryLock stale(item.path()); }
      stdfs::remove_all(item.path(), ec);
      if (ec) {
        process_log::warning("dispatcher") << "cannot remove the stale spool folder "
                                           << item.path().string() << ": " << ec.message();
      }
    } catch (const StorageError&) {
      // Held by a live process: left alone.
    }
  }
  path_ = root / new_uuid();
  lock_ = std::make_unique<durable::DirectoryLock>(path_);
}

SpoolFolder::~SpoolFolder() {
  lock_.reset();
  std::error_code ec;
  stdfs::remove_all(path_, ec);
}

}  // namespace databus::dispatch
