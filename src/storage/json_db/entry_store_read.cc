// EntryStore, its reading side: the scan that builds the index and reading
// one entry (cache or files). See entry_store.h.
#include <filesystem>

#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "storage/json_db/entry_files.h"
#include "storage/json_db/entry_journal.h"
#include "storage/json_db/entry_store.h"
#include "storage/json_db/passenger_codec.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;
using entry_files::kAttachmentsDir;
using entry_files::kPassengerFile;

}  // namespace

QueueEntry EntryStore::read_passenger_json(const std::string& id) const {
  const stdfs::path path = dir_ / id / kPassengerFile;
  QueueEntry entry = decode_passenger_json(durable::read_file(path), path.string());
  if (entry.passenger.internal_id != id) {
    throw CorruptDataError(path.string(), "field 'internal_id' is '" + entry.passenger.internal_id +
                                              "' but the folder is named '" + id + "'");
  }
  return entry;
}

void EntryStore::scan() {
  index_.clear();
  std::error_code ec;
  if (!stdfs::is_directory(dir_, ec)) return;
  for (const auto& item : stdfs::directory_iterator(dir_)) {
    const std::string name = item.path().filename().string();
    if (durable::is_temporary_name(name)) {
      // Half-built or half-deleted entry from a crash: never visible.
      stdfs::remove_all(item.path(), ec);
      continue;
    }
    if (!item.is_directory(ec)) continue;
    const std::string path = (item.path() / kPassengerFile).string();
    if (!is_uuid(name)) {
      add_problem(item.path().string(), "folder name is not an internal id (UUID); left alone",
                  StorageProblem::Kind::stray_item);
      continue;
    }
    try {
      QueueEntry entry = read_passenger_json(name);
      for (const Attachment& a : entry.passenger.attachments) {
        if (!stdfs::is_regular_file(item.path() / kAttachmentsDir / a.name, ec)) {
          throw CorruptDataError(
              path, "attachment '" + a.name + "' listed in field 'attachments' is missing");
        }
      }
      index_.put(entry);
    } catch (const StorageError& e) {
      add_problem(path, e.what());
    }
  }
}

std::optional<QueueEntry> EntryStore::read(const std::string& id, bool with_attachments) {
  if (const QueueEntry* hit = cache_.find(id)) {
    QueueEntry entry = *hit;
    if (!with_attachments) {
      for (Attachment& a : entry.passenger.attachments) a.content.clear();
    }
    return entry;
  }
  const stdfs::path dir = dir_ / id;
  try {
    QueueEntry entry = with_stored_files(read_passenger_json(id));
    if (with_attachments) {
      for (Attachment& a : entry.passenger.attachments) {
        const stdfs::path file = dir / kAttachmentsDir / a.name;
        std::error_code ec;
        if (!stdfs::is_regular_file(file, ec)) {
          throw CorruptDataError(
              (dir / kPassengerFile).string(),
              "attachment '" + a.name + "' listed in field 'attachments' is missing");
        }
        if (a.spool == nullptr) a.content = durable::read_file(file);
      }
    }
    return entry;
  } catch (const StorageError& e) {
    add_problem((dir / kPassengerFile).string(), e.what());
    return std::nullopt;
  }
}

}  // namespace databus
