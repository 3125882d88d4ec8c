#include "storage/json_db/entry_store.h"

#include <unistd.h>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "fs/content_file.h"
#include "storage/json_db/entry_files.h"
#include "storage/json_db/entry_journal.h"
#include "storage/json_db/passenger_codec.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

void check_attachments(const QueueEntry& entry, const std::string& client_id) {
  for (const Attachment& a : entry.passenger.attachments) {
    if (!is_safe_attachment_name(a.name)) {
      throw StorageError("client " + client_id + ", entry " + entry.passenger.internal_id +
                         ": attachment name '" + a.name +
                         "' is not a safe file name (1 to 255 bytes, no '/' or NUL)");
    }
  }
}

}  // namespace

EntryStore::EntryStore(stdfs::path pqueue_dir, std::string client_id, FileWorkers* workers)
    : dir_(std::move(pqueue_dir)),
      client_id_(std::move(client_id)),
      journal_path_(journal_path(dir_)),
      workers_(workers),
      cache_(dir_) {}

EntryStore::~EntryStore() {
  std::unique_lock lock(mutex_);
  if (!journal_) return;
  if (unapplied_) return;  // Kept for the next open's replay.
  try {
    if (journal_->size() > 0) durable::sync_file_system(dir_);
    journal_.reset();
    ::unlink(journal_path_.c_str());  // Replaying it again would do no harm.
    remove_blobs();
  } catch (...) {
    // Kept: the next open replays it.
  }
}

stdfs::path EntryStore::journal_path(const stdfs::path& pqueue_dir) {
  return pqueue_dir.parent_path() / "pqueue.journal";
}

void EntryStore::add_problem(const std::string& path, std::string message,
                             StorageProblem::Kind kind) {
  // A CorruptDataError's text starts with its path; the problem names the
  // path in its own field, so readers print it once.
  const std::string prefix = path + ": ";
  if (message.compare(0, prefix.size(), prefix) == 0) message.erase(0, prefix.size());
  std::lock_guard<std::mutex> guard(problems_mutex_);
  for (const auto& p : problems_) {
    if (p.path == path && p.message == message) return;
  }
  problems_.push_back({client_id_, path, message, kind});
}

std::vector<StorageProblem> EntryStore::problems() {
  ensure_index();
  std::lock_guard<std::mutex> guard(problems_mutex_);
  std::vector<StorageProblem> all = problems_;
  for (auto it = set_aside_.begin(); it != set_aside_.end();) {
    // The operator has dealt with it (replayed, moved or removed the file):
    // the passengers it stopped go on.
    std::error_code ec;
    if (!std::filesystem::exists(it->first, ec) && !ec) {
      it = set_aside_.erase(it);
      continue;
    }
    all.push_back(it->second);
    ++it;
  }
  return all;
}

FileWorkers::Failures EntryStore::for_each(std::size_t n,
                                           const std::function<void(std::size_t)>& job) {
  if (workers_ != nullptr) return workers_->run(n, job);
  FileWorkers::Failures failures;
  for (std::size_t i = 0; i < n; ++i) {
    try {
      job(i);
    } catch (...) {
      failures.emplace_back(i, std::current_exception());
    }
  }
  return failures;
}

void EntryStore::report(const FileWorkers::Failures& failures, std::size_t n) {
  if (failures.empty()) return;
  if (failures.size() == 1) std::rethrow_exception(failures[0].second);
  std::string first = "unknown error";
  try {
    std::rethrow_exception(failures[0].second);
  } catch (const std::exception& e) {
    first = e.what();
  } catch (...) {
  }
  throw StorageError("client " + client_id_ + ": " + std::to_string(failures.size()) + " of " +
                     std::to_string(n) + " entries of a batch failed; the first: " + first);
}

void EntryStore::journal(std::span<const std::string> records) {
  if (!journal_) {
    durable::create_directories_durably(dir_);
    journal_ = std::make_unique<durable::JournalFile>(journal_path_);
  }
  journal_->append(records);
}

void EntryStore::stage_blobs(std::span<const QueueEntry> entries) {
  for (const QueueEntry& e : entries) {
    stdfs::path folder;
    for (const Attachment& a : e.passenger.attachments) {
      if (a.spool == nullptr) continue;
      const stdfs::path blob =
          EntryRecord::blob_path(journal_path_, e.passenger.internal_id, a.name);
      if (folder.empty()) {
        folder = blob.parent_path();
        durable::create_directories_durably(folder);
      }
      std::error_code same;
      if (!stdfs::equivalent(a.spool->path(), blob, same)) durable::write_content(blob, a, true);
      blob_bytes_ += a.spool->size();
    }
    if (!folder.empty()) durable::sync_directory(folder);
  }
}

QueueEntry EntryStore::with_stored_files(QueueEntry entry) const {
  for (Attachment& a : entry.passenger.attachments) {
    if (a.spool == nullptr) continue;
    a.spool = std::make_shared<const SpooledFile>(
        dir_ / entry.passenger.internal_id / entry_files::kAttachmentsDir / a.name, a.spool->size(),
        a.spool->sha256(), false);
  }
  return entry;
}

void EntryStore::remove_blobs() {
  std::error_code ec;
  stdfs::remove_all(EntryRecord::blob_folder(journal_path_), ec);
  blob_bytes_ = 0;
}

void EntryStore::checkpoint_if_large() {
  if (!journal_ || journal_->size() + blob_bytes_ <= kCheckpointBytes || unapplied_) return;
  try {
    durable::sync_file_system(dir_);
    journal_->clear();
    remove_blobs();
  } catch (const StorageError& e) {
    // What was written is durable in the journal; the next batch tries again.
    add_problem(journal_path_.string(), std::string("checkpoint failed: ") + e.what());
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
    if (index_.contains(e.passenger.internal_id)) {
      throw StorageError("client " + client_id_ + ": entry " + e.passenger.internal_id +
                         " is stored already");
    }
  }
  const std::size_t n = entries.size();
  std::vector<std::string> jsons(n);
  {
    std::vector<std::string> records(n);
    report(for_each(n,
                    [&](std::size_t i) {
                      jsons[i] = encode_passenger_json(entries[i]);
                      records[i] = EntryRecord::encode_put(entries[i], jsons[i]);
                    }),
           n);
    stage_blobs(entries);
    journal(records);
  }
  // Durable from here. An entry whose files cannot be written is not
  // indexed now, yet the journal, kept from now on, brings it at the next
  // open.
  std::vector<durable::FileVersion> versions(n);
  const FileWorkers::Failures failed = for_each(n, [&](std::size_t i) {
    const Passenger& p = entries[i].passenger;
    entry_files::put(dir_, p.internal_id, jsons[i], p.attachments, &versions[i]);
  });
  for (std::size_t i = 0, f = 0; i < n; ++i) {
    if (f < failed.size() && failed[f].first == i) {
      ++f;
      continue;
    }
    index_.put(entries[i]);
    cache_.put(with_stored_files(entries[i]), versions[i]);
  }
  if (!failed.empty()) apply_failed();
  report(failed, n);
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
    if (!index_.contains(e.passenger.internal_id)) {
      throw NotFoundError("client " + client_id_ + ": queue entry " + e.passenger.internal_id +
                          " is not stored");
    }
  }
  const std::size_t n = entries.size();
  std::vector<QueueEntry> saved(n);  // What the files hold after the batch.
  std::vector<char> whole(n, 1);     // saved[i] has its attachments' contents.
  std::vector<std::string> jsons(n);
  {
    std::vector<std::string> records(n);
    // Reads only (the cache is not changed here), so the entries may go in
    // parallel; a failure leaves everything as it was.
    report(for_each(n,
                    [&](std::size_t i) {
                      const QueueEntry& e = entries[i];
                      const std::string& id = e.passenger.internal_id;
                      QueueEntry& next = saved[i];
                      if (scope == SaveScope::statuses) {
                        const QueueEntry* hit = cache_.find(id);
                        whole[i] = hit != nullptr;
                        next = hit != nullptr ? *hit : read_passenger_json(id);
                        next.puller_notified = e.puller_notified;
                        next.processor_statuses = e.processor_statuses;
                        next.pusher_statuses = e.pusher_statuses;
                        next.passenger.log_guids = e.passenger.log_guids;
                        next.passenger.log_guids_dropped = e.passenger.log_guids_dropped;
                        jsons[i] = encode_passenger_json(next);
                        records[i] = EntryRecord::encode_statuses(id, jsons[i]);
                      } else {
                        next = e;
                        jsons[i] = encode_passenger_json(next);
                        records[i] = EntryRecord::encode_put(next, jsons[i]);
                      }
                    }),
           n);
    // A batch that fails half-way leaves some files new and some old: no
    // cached copy of any of them may survive it.
    for (const QueueEntry& e : saved) cache_.erase(e.passenger.internal_id);
    if (scope == SaveScope::everything) stage_blobs(saved);
    journal(records);
  }
  std::vector<durable::FileVersion> versions(n);
  const FileWorkers::Failures failed = for_each(n, [&](std::size_t i) {
    const std::string& id = saved[i].passenger.internal_id;
    if (scope == SaveScope::statuses) {
      if (!entry_files::put_passenger_json(dir_, id, jsons[i], &versions[i])) {
        throw StorageError("client " + client_id_ + ": the folder of queue entry " + id +
                           " vanished");
      }
    } else {
      entry_files::put(dir_, id, jsons[i], saved[i].passenger.attachments, &versions[i]);
    }
  });
  for (std::size_t i = 0, f = 0; i < n; ++i) {
    if (f < failed.size() && failed[f].first == i) {
      ++f;
      continue;
    }
    index_.put(saved[i]);
    if (whole[i]) cache_.put(with_stored_files(std::move(saved[i])), versions[i]);
  }
  if (!failed.empty()) apply_failed();
  report(failed, n);
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
  if (!index_.contains(internal_id)) return std::nullopt;
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
    if (index_.contains(id)) found.insert(id);
  }
  return found;
}

std::size_t EntryStore::delete_complete(const std::string& passenger_module, TimePoint before) {
  ensure_index();
  std::unique_lock lock(mutex_);
  const std::vector<std::string> ids = index_.complete_before(passenger_module, before);
  if (ids.empty()) return 0;
  std::vector<std::string> records;
  records.reserve(ids.size());
  for (const std::string& id : ids) records.push_back(EntryRecord::encode_remove(id));
  journal(records);
  for (const std::string& id : ids) {
    cache_.erase(id);
    index_.erase(id);
  }
  // A folder that cannot be removed now is removed by the journal's replay.
  const FileWorkers::Failures failed =
      for_each(ids.size(), [&](std::size_t i) { entry_files::remove(dir_, ids[i]); });
  if (!failed.empty()) apply_failed();
  report(failed, ids.size());
  checkpoint_if_large();
  return ids.size();
}

}  // namespace databus
