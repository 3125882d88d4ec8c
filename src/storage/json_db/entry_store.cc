#include "storage/json_db/entry_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/fs/atomic_file.h"
#include "storage/json_db/passenger_codec.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;
constexpr const char* kPassengerFile = "passenger.json";
constexpr const char* kAttachmentsDir = "attachments";
// Upper bound of the cache of recently written entries (attachment bytes
// plus a fixed allowance per entry): a drive of ~50,000 1 KiB passengers.
constexpr std::size_t kCacheBytes = 64u << 20;
constexpr std::size_t kCacheEntryOverhead = 1024;

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
    : dir_(std::move(pqueue_dir)), client_id_(std::move(client_id)) {}

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

void EntryStore::ensure_index() {
  if (indexed_.load(std::memory_order_acquire)) return;
  std::unique_lock lock(mutex_);
  if (indexed_.load(std::memory_order_relaxed)) return;
  scan();
  indexed_.store(true, std::memory_order_release);
}

QueueEntry EntryStore::read_passenger_json(const std::string& id) const {
  const stdfs::path path = entry_dir(id) / kPassengerFile;
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
      index_.put(EntrySummary::of(entry));
    } catch (const StorageError& e) {
      add_problem(path, e.what());
    }
  }
}

std::optional<EntryStore::FileStamp> EntryStore::stamp_of(const std::string& id) const {
  struct stat st;
  if (::stat((entry_dir(id) / kPassengerFile).c_str(), &st) != 0) return std::nullopt;
  return FileStamp{static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

const QueueEntry* EntryStore::cached(const std::string& id) const {
  auto it = cache_.find(id);
  if (it == cache_.end()) return nullptr;
  // Someone may have changed the files behind the engine's back.
  std::optional<FileStamp> now = stamp_of(id);
  if (!now || !(*now == it->second.stamp)) return nullptr;
  return &it->second.entry;
}

void EntryStore::cache_put(const QueueEntry& entry) {
  const std::string& id = entry.passenger.internal_id;
  cache_erase(id);
  std::size_t bytes = kCacheEntryOverhead;
  for (const Attachment& a : entry.passenger.attachments) bytes += a.content.size();
  if (bytes > kCacheBytes / 4) return;  // A giant entry would push out everything else.
  std::optional<FileStamp> stamp = stamp_of(id);
  if (!stamp) return;
  const std::uint64_t number = ++cache_number_;
  cache_.emplace(id, CachedEntry{entry, number, bytes, *stamp});
  cache_order_.emplace_back(number, id);
  cache_bytes_ += bytes;
  if (cache_order_.size() > 2 * cache_.size() + 1024) {
    // Re-written entries leave stale items behind; drop them.
    std::erase_if(cache_order_, [this](const auto& item) {
      auto it = cache_.find(item.second);
      return it == cache_.end() || it->second.number != item.first;
    });
  }
  while (cache_bytes_ > kCacheBytes && !cache_order_.empty()) {
    auto [oldest, oldest_id] = std::move(cache_order_.front());
    cache_order_.pop_front();
    auto it = cache_.find(oldest_id);
    if (it != cache_.end() && it->second.number == oldest) {
      cache_bytes_ -= it->second.bytes;
      cache_.erase(it);
    }
  }
}

void EntryStore::cache_erase(const std::string& id) {
  auto it = cache_.find(id);
  if (it == cache_.end()) return;
  cache_bytes_ -= it->second.bytes;
  cache_.erase(it);  // Its cache_order_ item is skipped when it comes up.
  if (cache_.empty()) cache_order_.clear();
}

std::optional<QueueEntry> EntryStore::read(const std::string& id, bool with_attachments) {
  if (const QueueEntry* hit = cached(id)) {
    QueueEntry entry = *hit;
    if (!with_attachments) {
      for (Attachment& a : entry.passenger.attachments) a.content.clear();
    }
    return entry;
  }
  const stdfs::path dir = entry_dir(id);
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
  durable::create_directories_durably(dir_);
  std::vector<stdfs::path> staged;
  try {
    durable::WriteBatch batch;
    for (const QueueEntry& e : entries) {
      const std::string& id = e.passenger.internal_id;
      const stdfs::path staging = durable::temporary_sibling(entry_dir(id));
      batch.create_directory(staging);
      staged.push_back(staging);
      batch.create_directory(staging / kAttachmentsDir);
      for (const Attachment& a : e.passenger.attachments) {
        batch.create(staging / kAttachmentsDir / a.name, a.content);
      }
      batch.create(staging / kPassengerFile, encode_passenger_json(e));
      batch.rename(staging, entry_dir(id));
    }
    batch.commit();
  } catch (...) {
    std::error_code ec;
    for (const auto& s : staged) stdfs::remove_all(s, ec);
    throw;
  }
  for (const QueueEntry& e : entries) {
    index_.put(EntrySummary::of(e));
    cache_put(e);
  }
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
  std::vector<stdfs::path> obsolete;
  durable::WriteBatch batch;
  for (const QueueEntry& e : entries) {
    const std::string& id = e.passenger.internal_id;
    const stdfs::path dir = entry_dir(id);
    QueueEntry next;
    if (scope == SaveScope::statuses) {
      const QueueEntry* hit = cached(id);
      whole.push_back(hit != nullptr);
      next = hit != nullptr ? *hit : read_passenger_json(id);
      next.puller_notified = e.puller_notified;
      next.processor_statuses = e.processor_statuses;
      next.pusher_statuses = e.pusher_statuses;
      next.passenger.log_guids = e.passenger.log_guids;
    } else {
      next = e;
      whole.push_back(true);
      const stdfs::path attachments = dir / kAttachmentsDir;
      durable::create_directories_durably(attachments);
      std::set<std::string> listed;
      for (const Attachment& a : e.passenger.attachments) {
        batch.replace(attachments / a.name, a.content);
        listed.insert(a.name);
      }
      for (const auto& file : stdfs::directory_iterator(attachments)) {
        if (listed.count(file.path().filename().string()) == 0) obsolete.push_back(file.path());
      }
    }
    // Attachments first: passenger.json never lists a file that is not there.
    batch.replace(dir / kPassengerFile, encode_passenger_json(next));
    saved.push_back(std::move(next));
  }
  // A batch that fails half-way leaves some files new and some old: no
  // cached copy of any of them may survive it.
  for (const QueueEntry& e : saved) cache_erase(e.passenger.internal_id);
  batch.commit();
  for (std::size_t i = 0; i < saved.size(); ++i) {
    index_.put(EntrySummary::of(saved[i]));
    if (whole[i]) cache_put(saved[i]);
  }
  std::set<stdfs::path> touched;
  std::error_code ec;
  for (const auto& file : obsolete) {
    stdfs::remove(file, ec);
    touched.insert(file.parent_path());
  }
  for (const auto& dir : touched) durable::sync_directory(dir);
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
  const std::vector<std::string> ids = index_.complete_before(passenger_module, before);
  if (ids.empty()) return 0;
  // Renamed away first, so a crash never leaves a half-deleted entry visible.
  std::vector<stdfs::path> doomed;
  for (const std::string& id : ids) {
    stdfs::path away = durable::temporary_sibling(entry_dir(id));
    cache_erase(id);
    stdfs::rename(entry_dir(id), away);
    doomed.push_back(away);
    index_.erase(id);
  }
  durable::sync_directory(dir_);
  std::error_code ec;
  for (const auto& path : doomed) stdfs::remove_all(path, ec);
  return ids.size();
}

}  // namespace databus
