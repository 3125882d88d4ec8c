#include "storage/json_db/entry_store.h"

#include <unistd.h>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/fs/atomic_file.h"
#include "storage/json_db/entry_files.h"
#include "storage/json_db/entry_journal.h"
#include "storage/json_db/passenger_codec.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;
using entry_files::kAttachmentsDir;
using entry_files::kPassengerFile;

void check_attachments(const QueueEntry& entry, const std::string& client_id) {
  for (const Attachment& a : entry.passenger.attachments) {
    if (!is_safe_attachment_name(a.name)) {
      throw StorageError("client " + client_id + ", entry " + entry.passenger.internal_id +
                         ": attachment name '" + a.name + "' is not a safe file name");
    }
  }
}

}  // namespace

EntryStore::EntryStore(stdfs::path pqueue_dir, std::string client_id)
    : dir_(std::move(pqueue_dir)),
      client_id_(std::move(client_id)),
      journal_path_(journal_path(dir_)),
      cache_(dir_) {}

EntryStore::~EntryStore() {
  std::unique_lock lock(mutex_);
  if (!journal_) return;
  try {
    if (journal_->size() > 0) durable::sync_file_system(dir_);
    journal_.reset();
    ::unlink(journal_path_.c_str());  // Replaying it again would do no harm.
  } catch (...) {
    // Kept: the next open replays it.
  }
}

stdfs::path EntryStore::journal_path(const stdfs::path& pqueue_dir) {
  return pqueue_dir.parent_path() / "pqueue.journal";
}

void EntryStore::add_problem(const std::string& path, std::string message) {
  // A CorruptDataError's text starts with its path; the problem names the
  // path in its own field, so readers print it once.
  const std::string prefix = path + ": ";
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  std::lock_guard<std::mutex> guard(problems_mutex_);
  for (const auto& p : problems_) {
    if (p.path == path && p.message == message) return;
  }
  problems_.push_back({client_id_, path, message});
}

std::vector<StorageProblem> EntryStore::problems() {
  ensure_index();
  std::lock_guard<std::mutex> guard(problems_mutex_);
  return problems_;
}

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

void EntryStore::index_put(EntrySummary summary) {
  if (const EntrySummary* old = index_.find(summary.internal_id); old && old->complete()) {
    complete_[old->passenger_module].erase({old->pull_datetime, old->internal_id});
  }
  if (summary.complete()) {
    complete_[summary.passenger_module].emplace(summary.pull_datetime, summary.internal_id);
  }
  index_.put(std::move(summary));
}

void EntryStore::index_erase(const std::string& id) {
  if (const EntrySummary* old = index_.find(id); old && old->complete()) {
    complete_[old->passenger_module].erase({old->pull_datetime, old->internal_id});
  }
  index_.erase(id);
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

void EntryStore::journal(std::span<const std::string> records) {
  if (!journal_) {
    durable::create_directories_durably(dir_);
    journal_ = std::make_unique<durable::JournalFile>(journal_path_);
  }
  journal_->append(records);
}

void EntryStore::checkpoint_if_large() {
  if (!journal_ || journal_->size() <= kCheckpointBytes) return;
  try {
    durable::sync_file_system(dir_);
    journal_->clear();
  } catch (const StorageError& e) {
    // What was written is durable in the journal; the next batch tries again.
    add_problem(journal_path_.string(), std::string("checkpoint failed: ") + e.what());
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

void EntryStore::insert(std::span<const QueueEntry> entries) {
  if (entries.empty()) return;
  for (const QueueEntry& e : entries) {
    check_uuid("internal id", e.passenger.internal_id);
    check_attachments(e, client_id_);
  }
  ensure_index();
  std::unique_lock lock(mutex_);
  for (const QueueEntry& e : entries) {
    if (index_.find(e.passenger.internal_id) != nullptr) {
      throw StorageError("client " + client_id_ + ": entry " + e.passenger.internal_id +
                         " is stored already");
    }
  }
  std::vector<std::string> jsons;
  jsons.reserve(entries.size());
  {
    std::vector<std::string> records;
    records.reserve(entries.size());
    for (const QueueEntry& e : entries) {
      jsons.push_back(encode_passenger_json(e));
      records.push_back(EntryRecord::encode_put(e, jsons.back()));
    }
    journal(records);
  }
  // Durable from here. An entry whose files cannot be written is not
  // indexed now, yet the journal's replay at the next open brings it.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const QueueEntry& e = entries[i];
    entry_files::put(dir_, e.passenger.internal_id, jsons[i], e.passenger.attachments);
    index_put(EntrySummary::of(e));
    cache_.put(e);
  }
  checkpoint_if_large();
}

void EntryStore::update(std::span<const QueueEntry> entries, SaveScope scope) {
  if (entries.empty()) return;
  for (const QueueEntry& e : entries) {
    check_uuid("internal id", e.passenger.internal_id);
    if (scope == SaveScope::everything) check_attachments(e, client_id_);
  }
  ensure_index();
  std::unique_lock lock(mutex_);
  for (const QueueEntry& e : entries) {
    if (index_.find(e.passenger.internal_id) == nullptr) {
      throw NotFoundError("client " + client_id_ + ": queue entry " + e.passenger.internal_id +
                          " is not stored");
    }
  }
  std::vector<QueueEntry> saved;  // What the files hold after the batch.
  std::vector<bool> whole;        // saved[i] has its attachments' contents.
  std::vector<std::string> jsons;
  {
    std::vector<std::string> records;
    for (const QueueEntry& e : entries) {
      const std::string& id = e.passenger.internal_id;
      QueueEntry next;
      if (scope == SaveScope::statuses) {
        const QueueEntry* hit = cache_.find(id);
        whole.push_back(hit != nullptr);
        next = hit != nullptr ? *hit : read_passenger_json(id);
        next.puller_notified = e.puller_notified;
        next.processor_statuses = e.processor_statuses;
        next.pusher_statuses = e.pusher_statuses;
        next.passenger.log_guids = e.passenger.log_guids;
        jsons.push_back(encode_passenger_json(next));
        records.push_back(EntryRecord::encode_statuses(id, jsons.back()));
      } else {
        next = e;
        whole.push_back(true);
        jsons.push_back(encode_passenger_json(next));
        records.push_back(EntryRecord::encode_put(next, jsons.back()));
      }
      saved.push_back(std::move(next));
    }
    // A batch that fails half-way leaves some files new and some old: no
    // cached copy of any of them may survive it.
    for (const QueueEntry& e : saved) cache_.erase(e.passenger.internal_id);
    journal(records);
  }
  for (std::size_t i = 0; i < saved.size(); ++i) {
    const std::string& id = saved[i].passenger.internal_id;
    if (scope == SaveScope::statuses) {
      if (!entry_files::put_passenger_json(dir_, id, jsons[i])) {
        throw StorageError("client " + client_id_ + ": the folder of queue entry " + id +
                           " vanished");
      }
    } else {
      entry_files::put(dir_, id, jsons[i], saved[i].passenger.attachments);
    }
    index_put(EntrySummary::of(saved[i]));
    if (whole[i]) cache_.put(saved[i]);
  }
  checkpoint_if_large();
}

std::vector<QueueEntry> EntryStore::query(const EntryQuery& query) {
  ensure_index();
  std::shared_lock lock(mutex_);
  std::vector<QueueEntry> out;
  for (const std::string& id : index_.select(query)) {
    if (auto entry = read(id, query.with_attachments)) out.push_back(std::move(*entry));
  }
  return out;
}

std::size_t EntryStore::count(const EntryQuery& query) {
  ensure_index();
  std::shared_lock lock(mutex_);
  return index_.count(query);
}

std::optional<QueueEntry> EntryStore::load(const std::string& internal_id) {
  check_uuid("internal id", internal_id);
  ensure_index();
  std::shared_lock lock(mutex_);
  if (index_.find(internal_id) == nullptr) return std::nullopt;
  return read(internal_id, true);
}

std::optional<std::string> EntryStore::find(const std::string& passenger_module,
                                            const std::string& source_system,
                                            const std::string& external_id) {
  ensure_index();
  std::shared_lock lock(mutex_);
  return index_.find_key(passenger_module, source_system, external_id);
}

std::map<DedupKey, std::string> EntryStore::find_all(const std::string& passenger_module,
                                                     std::span<const DedupKey> keys) {
  ensure_index();
  std::shared_lock lock(mutex_);
  std::map<DedupKey, std::string> found;
  for (const DedupKey& key : keys) {
    std::optional<std::string> id =
        index_.find_key(passenger_module, key.source_system, key.external_id);
    if (id) found.emplace(key, std::move(*id));
  }
  return found;
}

std::set<std::string> EntryStore::stored_ids(std::span<const std::string> internal_ids) {
  ensure_index();
  std::shared_lock lock(mutex_);
  std::set<std::string> found;
  for (const std::string& id : internal_ids) {
    if (index_.find(id) != nullptr) found.insert(id);
  }
  return found;
}

std::size_t EntryStore::delete_complete(const std::string& passenger_module, TimePoint before) {
  ensure_index();
  std::unique_lock lock(mutex_);
  std::vector<std::string> ids;
  if (auto it = complete_.find(passenger_module); it != complete_.end()) {
    for (const auto& [pulled, id] : it->second) {
      if (!(pulled < before)) break;
      ids.push_back(id);
    }
  }
  if (ids.empty()) return 0;
  std::vector<std::string> records;
  records.reserve(ids.size());
  for (const std::string& id : ids) records.push_back(EntryRecord::encode_remove(id));
  journal(records);
  for (const std::string& id : ids) {
    cache_.erase(id);
    index_erase(id);
    entry_files::remove(dir_, id);
  }
  checkpoint_if_large();
  return ids.size();
}

}  // namespace databus
