// EntryStore: the passenger queue of one client in the JSON DB,
// clients/<id>/pqueue/<internal_id>/{passenger.json,attachments/<name>}.
//
// An in-memory EntryIndex, built by one scan of pqueue/ at first use and kept
// current by every write, answers filters, counts and the dedup lookup; only
// the entries a query returns are read from disk (or from the EntryCache of
// entries written last). The index is compact (about 120 bytes an entry,
// entry_index.h), so a client of a million entries costs ~120 MB of memory.
//
// Durability: every batch of writes is first appended to the client's
// journal, clients/<id>/pqueue.journal (entry_journal.h), with one
// fdatasync(); then the entries' files are written without syncing
// (entry_files.h: new folders by rename, passenger.json overwritten in place,
// so no inode is created or deleted for a status change). The per-entry work
// of a batch (encoding passenger.json, reading what a status update keeps,
// writing or removing files) runs on the FileWorkers, all cores at once, and
// is finished before the call returns, so every reader of the files sees the
// batch; the journal, the index and the cache are handled by the caller
// alone. When some entries' files fail, the others are still written and
// indexed, and the call throws: the one failure as it was, or a StorageError
// naming how many failed and the first. The next call then replays the
// whole journal and rescans the folder first, so the failed changes are
// applied as soon as they can be (after a full disk frees up) with no
// restart and nothing lost: while space lacks, each call tries again; a
// change failing for another reason is tried once and then left to the next
// open's replay. When the journal
// passes kCheckpointBytes, and when the store is destroyed, a checkpoint
// syncs the file system and empties the journal (removes it on destruction),
// unless some entry's files failed after its change was journaled: the
// journal is then kept for the next open's replay.
// The journal left by a crash is replayed before anything else reads or
// writes the queue (recover()), so a crash at any instant leaves each entry
// either old or new. Once closed, the folder holds only the layout of docs/configuration.md.
//
// A replay that fails for lack of space (NoSpaceError) keeps the journal and
// throws: this client's calls fail until the next one replays it whole. Any
// other failure of a record (say a file standing where the entry's folder
// must go) sets that record, and the later records of the same entry, aside
// in pqueue.journal.failed-<time> next to the journal and applies the rest:
// the queue opens, and a StorageProblem of kind set_aside_changes stops the
// drives of the passenger modules those records name until an operator has
// replayed or removed the file (docs/storage-engines.md). Such files left by
// an earlier run are reported again at open; one that disappears stops
// being reported.
//
// Malformed entries (passenger.json unreadable, a field missing, a listed
// attachment missing) are recorded as StorageProblems, left on disk and left
// out of queries.
//
// Thread-safety: thread-safe. Readers share a lock; writers hold it alone.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "databus/database.h"
#include "fs/journal_file.h"
#include "storage/entry_index.h"
#include "storage/json_db/entry_cache.h"
#include "storage/json_db/file_workers.h"

namespace databus {

class EntryStore {
 public:
  // A checkpoint follows the batch that makes the journal larger than this.
  static constexpr std::uint64_t kCheckpointBytes = 64u << 20;

  // `workers` (may be null: everything on the caller) must outlive the store.
  EntryStore(std::filesystem::path pqueue_dir, std::string client_id, FileWorkers* workers);
  EntryStore(const EntryStore&) = delete;
  EntryStore& operator=(const EntryStore&) = delete;
  // Checkpoints and removes the journal (errors, and earlier failures of
  // some entry's files, keep it, for the next open).
  ~EntryStore();

  // The journal path of the queue in `pqueue_dir`.
  static std::filesystem::path journal_path(const std::filesystem::path& pqueue_dir);

  // Replays and removes the journal a crash left behind, once; every other
  // method does this first. Throws StorageError when a replayed change cannot
  // be written (the journal is then kept).
  void recover();

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
  // Recovers and builds the index on first use, and again after
  // apply_failed().
  void ensure_index();
  // REQUIRES: mutex_ held exclusively (for the five below).
  void replay_journal();
  void scan();
  // Some journaled change is not in the files: the next ensure_index()
  // replays the journal and rescans.
  void apply_failed();
  // Writes `records` (not applied) to a new pqueue.journal.failed-<time> and
  // records the problem; `modules` are the passenger modules they name ("":
  // one could not be told). Throws, writing nothing, when the file cannot be
  // written.
  void set_aside(std::span<const std::string> records, const std::set<std::string>& modules,
                 const std::string& why);
  // Records a problem for each pqueue.journal.failed-* not recorded yet.
  void find_set_aside();
  // Appends `records` to the journal durably (opening it on first use).
  void journal(std::span<const std::string> records);
  // A checkpoint when the journal has grown past kCheckpointBytes.
  void checkpoint_if_large();
  // Makes the bytes of every spooled attachment of `entries` durable in the
  // blob folder the journal's put_large records name, before they are
  // journaled (docs/storage-engines.md, "Large attachments").
  void stage_blobs(std::span<const QueueEntry> entries);
  // Removes the blob folder: once the journal no longer names it.
  void remove_blobs();
  // `entry` with its spooled attachments' handles on the entry's own files.
  QueueEntry with_stored_files(QueueEntry entry) const;

  // Runs job(i) for every i in [0, n) on the workers (or here).
  FileWorkers::Failures for_each(std::size_t n, const std::function<void(std::size_t)>& job);
  // Throws for the `failures` of a batch of `n` entries; returns when none.
  void report(const FileWorkers::Failures& failures, std::size_t n);

  // Reads one entry; nullopt (and a recorded problem) when it is malformed.
  std::optional<QueueEntry> read(const std::string& id, bool with_attachments);
  // Reads and decodes passenger.json; throws CorruptDataError or StorageError.
  QueueEntry read_passenger_json(const std::string& id) const;
  void add_problem(const std::string& path, std::string message,
                   StorageProblem::Kind kind = StorageProblem::Kind::malformed_entry);

  const std::filesystem::path dir_;
  const std::string client_id_;
  const std::filesystem::path journal_path_;
  FileWorkers* const workers_;

  std::shared_mutex mutex_;  // Guards everything below and the files under dir_.
  std::atomic<bool> indexed_{false};
  bool recovered_ = false;
  std::unique_ptr<durable::JournalFile> journal_;  // Open once something was written.
  // Some journaled change is not in the files (its entry's files failed):
  // no checkpoint empties the journal, and closing keeps it, so that the
  // next open's replay redoes the change.
  bool unapplied_ = false;
  // Bytes in the blob folder: they count towards a checkpoint like the
  // journal's, so deleted entries' blobs do not linger.
  std::uint64_t blob_bytes_ = 0;
  EntryIndex index_;
  EntryCache cache_;

  std::mutex problems_mutex_;  // Readers record problems under a shared lock.
  std::vector<StorageProblem> problems_;
  std::map<std::string, StorageProblem> set_aside_;  // By the set-aside file's path.
};

}  // namespace databus
