// EntryStore, its reading side: the journal's replay at open, the scan that
// builds the index, and reading one entry (cache or files). See entry_store.h.
#include <filesystem>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/fs/atomic_file.h"
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

void EntryStore::recover() {
  std::unique_lock lock(mutex_);
  replay_journal();
}

void EntryStore::ensure_index() {
  if (indexed_.load(std::memory_order_acquire)) return;
  std::unique_lock lock(mutex_);
  if (indexed_.load(std::memory_order_relaxed)) return;
  replay_journal();
  scan();
  indexed_.store(true, std::memory_order_release);
}

void EntryStore::replay_journal() {
  if (recovered_) return;
  std::error_code ec;
  if (stdfs::exists(journal_path_, ec)) {
    const std::vector<std::string> records = durable::JournalFile::read(journal_path_);
    for (const std::string& bytes : records) {
      EntryRecord record;
      try {
        record = EntryRecord::decode(bytes, journal_path_.string());
      } catch (const CorruptDataError& e) {
        // Checksummed yet unreadable: kept aside for a human, never deleted.
        add_problem(journal_path_.string(),
                    std::string(e.what()) + "; kept as " + journal_path_.string() + ".corrupt");
        stdfs::rename(journal_path_, journal_path_.string() + ".corrupt");
        break;
      }
      entry_files::apply(dir_, record);
    }
    if (!records.empty()) durable::sync_file_system(dir_.parent_path());
    if (stdfs::exists(journal_path_, ec)) durable::remove_durably(journal_path_);
  }
  recovered_ = true;
}

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
  complete_.clear();
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
      add_problem(item.path().string(), "folder name is not an internal id (UUID)");
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
      index_put(EntrySummary::of(entry));
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
    QueueEntry entry = read_passenger_json(id);
    if (with_attachments) {
      for (Attachment& a : entry.passenger.attachments) {
        const stdfs::path file = dir / kAttachmentsDir / a.name;
        std::error_code ec;
        if (!stdfs::is_regular_file(file, ec)) {
          throw CorruptDataError(
              (dir / kPassengerFile).string(),
              "attachment '" + a.name + "' listed in field 'attachments' is missing");
        }
        a.content = durable::read_file(file);
      }
    }
    return entry;
  } catch (const StorageError& e) {
    add_problem((dir / kPassengerFile).string(), e.what());
    return std::nullopt;
  }
}

}  // namespace databus
