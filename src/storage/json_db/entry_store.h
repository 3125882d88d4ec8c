// EntryStore: the passenger queue of one client in the JSON DB,
// clients/<id>/pqueue/<internal_id>/{passenger.json,attachments/<name>}.
//
// An in-memory EntryIndex, built by one scan of pqueue/ at first use and kept
// current by every write, answers filters, counts and the dedup lookup; only
// the entries a query returns are read from disk. A new entry is staged in
// pqueue/<id>.tmp-<random>/ and published by one rename; updates replace files
// atomically; deletions rename the entry away before removing it. So after a
// crash every visible entry is whole, and leftovers (*.tmp-*) are removed by
// the next scan. A batch of writes is made durable with one sync.
//
// The entries written last are also kept whole (attachments included) in a
// bounded in-memory cache, so that what a drive reads right after writing it
// (the next step's query, the read-modify-write of a status update) costs one
// stat() instead of reading its files; a passenger.json changed or removed
// behind the engine's back (identity, size or time differ) is read again. The cache only ever holds
// what the files hold: it is changed after a write is durable and emptied of a batch's entries
// before the batch is written, so a failed write never leaves a stale copy.
//
// Malformed entries (passenger.json unreadable, a field missing, a listed
// attachment missing) are recorded as StorageProblems, left on disk and left
// out of queries.
//
// Thread-safety: thread-safe. Readers share a lock; writers hold it alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "databus/database.h"
#include "storage/entry_index.h"

namespace databus {

class EntryStore {
 public:
  EntryStore(std::filesystem::path pqueue_dir, std::string client_id);
  EntryStore(const EntryStore&) = delete;
  EntryStore& operator=(const EntryStore&) = delete;

  // The Database methods of the same meaning, for this client.
  void insert(std::span<const QueueEntry> entries);
  void update(std::span<const QueueEntry> entries, SaveScope scope);
  std::vector<QueueEntry> query(const EntryQuery& query);
  std::size_t count(const EntryQuery& query);
  std::optional<QueueEntry> load(const std::string& internal_id);
  // find() for each of `keys`, under one lock.
  std::map<DedupKey, std::string> find_all(const std::string& passenger_module,
                                           std::span<const DedupKey> keys);
  // Those of `internal_ids` that are indexed.
  std::set<std::string> stored_ids(std::span<const std::string> internal_ids);
  std::optional<std::string> find(const std::string& passenger_module,
                                  const std::string& source_system, const std::string& external_id);
  std::size_t delete_complete(const std::string& passenger_module, TimePoint before);
  std::vector<StorageProblem> problems();

 private:
  std::filesystem::path entry_dir(const std::string& id) const { return dir_ / id; }
  // Builds the index on first use.
  void ensure_index();
  // REQUIRES: mutex_ held exclusively.
  void scan();
  // Reads one entry; nullopt (and a recorded problem) when it is malformed.
  std::optional<QueueEntry> read(const std::string& id, bool with_attachments);
  // Reads and decodes passenger.json; throws CorruptDataError or StorageError.
  QueueEntry read_passenger_json(const std::string& id) const;
  void add_problem(const std::string& path, std::string message);

  // The cache. REQUIRES: mutex_ held exclusively for cache_put/cache_erase,
  // at least shared for cached().
  const QueueEntry* cached(const std::string& id) const;
  void cache_put(const QueueEntry& entry);
  void cache_erase(const std::string& id);

  const std::filesystem::path dir_;
  const std::string client_id_;

  std::shared_mutex mutex_;  // Guards index_ and the files under dir_.
  std::atomic<bool> indexed_{false};
  EntryIndex index_;

  // What identifies one version of a file: inode, size, modification time.
  struct FileStamp {
    std::uint64_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  // The stamp of `id`'s passenger.json; nullopt when it cannot be stat'ed.
  std::optional<FileStamp> stamp_of(const std::string& id) const;
  // Whole entries by internal id, each with its insertion number; `order_`
  // lists (number, id) oldest first, so eviction drops the oldest copies.
  struct CachedEntry {
    QueueEntry entry;
    std::uint64_t number = 0;
    std::size_t bytes = 0;
    FileStamp stamp;  // Of passenger.json when the entry was cached.
  };
  std::unordered_map<std::string, CachedEntry> cache_;
  std::deque<std::pair<std::uint64_t, std::string>> cache_order_;
  std::uint64_t cache_number_ = 0;
  std::size_t cache_bytes_ = 0;

  std::mutex problems_mutex_;  // Readers record problems under a shared lock.
  std::vector<StorageProblem> problems_;
};

}  // namespace databus
