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
// Malformed entries (passenger.json unreadable, a field missing, a listed
// attachment missing) are recorded as StorageProblems, left on disk and left
// out of queries.
//
// Thread-safety: thread-safe. Readers share a lock; writers hold it alone.
#pragma once

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
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
  void add_problem(const std::string& path, const std::string& message);

  const std::filesystem::path dir_;
  const std::string client_id_;

  std::shared_mutex mutex_;  // Guards index_ and the files under dir_.
  std::atomic<bool> indexed_{false};
  EntryIndex index_;

  std::mutex problems_mutex_;  // Readers record problems under a shared lock.
  std::vector<StorageProblem> problems_;
};

}  // namespace databus
