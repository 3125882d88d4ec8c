// The SQLite engine's class, split over sqlite_database.cc (clients, backups,
// logs, opening), sqlite_entries.cc and sqlite_entries_read.cc (the queue)
// and sqlite_passenger_state.cc. Internal to the engine; see
// sqlite_database.h for the contract.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "databus/database.h"
#include "fs/directory_lock.h"
#include "model/sequential_map.h"
#include "storage/blob_folder.h"
#include "storage/sql/problem_list.h"
#include "storage/sqlite/sqlite_connection.h"

namespace databus {

class SqliteDatabase : public Database {
 public:
  // Takes the file for this process (`<path>.lock`) unless `lock_process`
  // is false, which only tests use, to act as another writer of the file
  // (another process, an operator's sqlite3 shell).
  explicit SqliteDatabase(std::filesystem::path path, bool lock_process = true);

  std::string engine() const override { return "sqlite"; }
  std::string describe() const override { return "sqlite at " + pool_.path().string(); }

  std::vector<std::string> client_ids() override;
  ClientConfig load_client(const std::string& client_id) override;
  std::string read_client_config_text(const std::string& client_id) override;
  void write_client_config_text(const std::string& client_id, const std::string& text) override;
  VersionedText read_client_config_versioned(const std::string& client_id) override;
  ConfigVersion write_client_config_text_if(const std::string& client_id, const std::string& text,
                                            const std::string& expected_tag,
                                            const std::string& saved_by) override;

  void write_backup(const std::string& client_id, const std::string& node,
                    const std::string& text) override;
  std::vector<BackupInfo> list_backups(const std::string& client_id) override;
  std::size_t delete_backups_before(const std::string& client_id, TimePoint before) override;
  std::optional<std::string> read_backup(const std::string& client_id,
                                         const std::string& backup_id) override;
  void restore_backup(const std::string& client_id, const BackupInfo& info,
                      const std::string& text) override;

  void insert_entries(const std::string& client_id, std::span<const QueueEntry> entries) override;
  void update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                      SaveScope scope) override;
  std::vector<QueueEntry> query_entries(const std::string& client_id,
                                        const EntryQuery& query) override;
  std::size_t count_entries(const std::string& client_id, const EntryQuery& query) override;
  std::optional<QueueEntry> load_entry(const std::string& client_id,
                                       const std::string& internal_id) override;
  std::optional<std::string> find_entry(const std::string& client_id,
                                        const std::string& passenger_module,
                                        const std::string& source_system,
                                        const std::string& external_id) override;
  std::map<DedupKey, std::string> find_entries(const std::string& client_id,
                                               const std::string& passenger_module,
                                               std::span<const DedupKey> keys) override;
  std::set<std::string> stored_ids(const std::string& client_id,
                                   std::span<const std::string> internal_ids) override;
  std::size_t delete_complete_entries(const std::string& client_id,
                                      const std::string& passenger_module,
                                      TimePoint before) override;
  std::vector<StorageProblem> problems(const std::string& client_id) override;

  std::optional<std::string> read_passenger_state(const std::string& client_id,
                                                  const std::string& passenger_module,
                                                  const std::string& name) override;
  void write_passenger_state(const std::string& client_id, const std::string& passenger_module,
                             const std::string& name,
                             const std::optional<std::string>& text) override;
  void write_passenger_state_unsynced(const std::string& client_id,
                                      const std::string& passenger_module, const std::string& name,
                                      const std::optional<std::string>& text) override;
  std::map<std::string, std::string> list_passenger_state(
      const std::string& client_id, const std::string& passenger_module) override;

  // Flow history: the `flow_minutes` table (schema 7).
  void add_flow_counts(const std::string& client_id, const std::string& passenger_module,
                       TimePoint minute, const FlowCounts& counts) override;
  FlowHistory read_flow_counts(const std::string& client_id, const std::string& passenger_module,
                               TimePoint since) override;
  std::size_t delete_flow_counts_before(const std::string& client_id,
                                        const std::string& passenger_module,
                                        TimePoint before) override;

  void write_log(const std::string& client_id, const Log& log) override;
  std::vector<LogSummary> list_logs(const std::string& client_id) override;
  std::optional<Log> read_log(const std::string& client_id, const std::string& guid) override;
  std::size_t delete_logs_before(const std::string& client_id, TimePoint before) override;
  bool delete_log(const std::string& client_id, const std::string& guid) override;

 private:
  // A client passenger state write, committed with or without a sync.
  void write_state(const std::string& client_id, const std::string& passenger_module,
                   const std::string& name, const std::optional<std::string>& text, bool synced);
  // Rows of `q` (selecting sql::kEntryColumns) decoded, with their
  // attachments (names and formats unless `with_content`, none unless
  // `with_content` or `with_names`); malformed rows are recorded as problems
  // and skipped.
  std::vector<QueueEntry> read_entries(SqliteConnection& c, SqliteQuery& q,
                                       const std::string& client_id, bool with_content,
                                       bool with_names);

  struct StoredEntry {
    std::int64_t entry = 0;  // Its key (schema 3).
    bool complete = false;   // As stored.
    // Its due_at in entry_open, as stored (none: NULL, or not open).
    std::optional<std::int64_t> due_at;
  };
  // Internal ids (viewing the written entries' own) with what was stored.
  using KnownEntries = std::vector<std::pair<std::string_view, StoredEntry>>;
  using ClientKeys = SequentialMap<StoredEntry>;
  // The remembered keys of `client_id`, or nullptr.
  ClientKeys* known_keys(const std::string& client_id);
  // The stored entry `internal_id` of `client_id`, from `known` (its
  // known_keys()) when it is there, else from the text index; std::nullopt
  // when not stored.
  // REQUIRES: inside `write`, after forget_keys_if_stale(write).
  std::optional<StoredEntry> find_stored(SqliteConnection& c, ClientKeys* known,
                                         const std::string& client_id,
                                         const std::string& internal_id);
  // Empties keys_ when another connection wrote since this pool's last write.
  void forget_keys_if_stale(const SqliteWrite& write);
  // Records what a committed transaction stored.
  void remember_keys(const std::string& client_id, KnownEntries& known);

  // One process per file: taken before the pool opens it, released after
  // (docs/storage-engines.md "One process per store").
  std::unique_ptr<durable::DirectoryLock> process_lock_;  // Null: not locked.
  SqlitePool pool_;
  sql::ProblemList problems_;
  // The bytes of spooled attachments: <file>.blobs/ (blob_folder.h).
  BlobFolder blobs_;
  // Per client, internal id -> key and `complete` of the entries this
  // object wrote or updated, as committed: a status write then finds its
  // rows by integer key, with no lookup statement at all. Exact because
  // every write of the file either goes through this object (which keeps
  // it current, and forgets a client's keys when it deletes entries, since
  // SQLite may give a deleted entry's key to a new one) or is seen by
  // forget_keys_if_stale() (another process). Used under the pool's write
  // mutex only (SqliteWrite); emptied per client beyond kCachedKeys.
  static constexpr std::size_t kCachedKeys = 200000;
  // Each client's in the order written, which is the order the drive's
  // status writes come in (SequentialMap).
  std::unordered_map<std::string, ClientKeys> keys_;
  std::uint64_t keys_foreign_writes_ = 0;  // SqliteWrite::foreign_writes() keys_ is current for.
};

}  // namespace databus
