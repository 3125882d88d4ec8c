// The SQLite engine's class, split over sqlite_database.cc (clients, backups,
// logs, opening) and sqlite_entries.cc (the queue). Internal to the engine;
// see sqlite_database.h for the contract.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "databus/database.h"
#include "storage/sql/problem_list.h"
#include "storage/sqlite/sqlite_connection.h"

namespace databus {

class SqliteDatabase : public Database {
 public:
  explicit SqliteDatabase(std::filesystem::path path);

  std::string engine() const override { return "sqlite"; }
  std::string describe() const override { return "sqlite at " + pool_.path().string(); }

  std::vector<std::string> client_ids() override;
  ClientConfig load_client(const std::string& client_id) override;
  std::string read_client_config_text(const std::string& client_id) override;
  void write_client_config_text(const std::string& client_id, const std::string& text) override;

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

  void write_log(const std::string& client_id, const Log& log) override;
  std::vector<LogSummary> list_logs(const std::string& client_id) override;
  std::optional<Log> read_log(const std::string& client_id, const std::string& guid) override;
  std::size_t delete_logs_before(const std::string& client_id, TimePoint before) override;
  bool delete_log(const std::string& client_id, const std::string& guid) override;

 private:
  // Rows of `q` (selecting sql::kEntryColumns) decoded, with their
  // attachments (names and formats unless `with_content`, none unless
  // `with_content` or `with_names`); malformed rows are recorded as problems
  // and skipped.
  std::vector<QueueEntry> read_entries(SqliteConnection& c, SqliteQuery& q,
                                       const std::string& client_id, bool with_content,
                                       bool with_names);

  struct StoredEntry {
    std::int64_t entry = 0;  // Its key (schema 3).
    bool complete = false;
  };
  // The stored entry `internal_id` of `client_id`, found by its remembered
  // key when there is one, else by the text index (`learnt` then true);
  // std::nullopt when not stored. REQUIRES: inside a write transaction on `c`.
  std::optional<StoredEntry> find_stored(SqliteConnection& c, const std::string& client_id,
                                         const std::string& internal_id, bool& learnt);
  // Remembers keys learnt in a transaction, once it committed.
  void remember_keys(const std::string& client_id,
                     std::vector<std::pair<std::string, std::int64_t>>& keys);

  SqlitePool pool_;
  sql::ProblemList problems_;
  // Per client, internal id -> `entry`, for the entries this process wrote
  // or updated: a status write then finds its rows by integer key, without
  // the text index. Only committed keys are kept, and a key is used only
  // after checking that its row still holds the internal id (SQLite may give
  // the key of a deleted entry to a new one, here or in another process);
  // otherwise the entry is looked up anew. Used under the pool's write
  // mutex only (SqliteWrite); emptied per client beyond kCachedKeys.
  static constexpr std::size_t kCachedKeys = 200000;
  std::unordered_map<std::string, std::unordered_map<std::string, std::int64_t>> keys_;
};

}  // namespace databus
