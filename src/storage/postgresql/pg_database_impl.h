// The PostgreSQL engine's class, split over pg_database.cc (clients,
// backups, logs, opening), pg_entries.cc and pg_entries_read.cc (the queue)
// and pg_passenger_state.cc. Internal to the engine; see pg_database.h for
// the contract.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "databus/database.h"
#include "storage/blob_folder.h"
#include "storage/postgresql/pg_connection.h"
#include "storage/postgresql/pg_coordination.h"
#include "storage/postgresql/pg_sessions.h"
#include "storage/sql/problem_list.h"
#include "storage/sql/sql_query.h"

namespace databus {

class PgDatabase : public Database {
 public:
  explicit PgDatabase(PgSettings settings);

  std::string engine() const override { return "postgresql"; }
  std::string describe() const override { return description_; }

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

  void insert_entries(const std::string& client_id, std::span<const QueueEntry> entries) override {
    insert_entries_fenced(client_id, entries, nullptr);
  }
  std::vector<std::size_t> seat_entries(const std::string& client_id,
                                        std::span<const QueueEntry> entries) override {
    return seat_entries_fenced(client_id, entries, nullptr);
  }
  void update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                      SaveScope scope) override {
    update_entries_fenced(client_id, entries, scope, nullptr);
  }
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
                                      TimePoint before) override {
    return delete_complete_entries_fenced(client_id, passenger_module, before, nullptr);
  }
  std::vector<StorageProblem> problems(const std::string& client_id) override;

  std::optional<std::string> read_passenger_state(const std::string& client_id,
                                                  const std::string& passenger_module,
                                                  const std::string& name) override;
  void write_passenger_state(const std::string& client_id, const std::string& passenger_module,
                             const std::string& name,
                             const std::optional<std::string>& text) override {
    write_passenger_state_fenced(client_id, passenger_module, name, text, nullptr);
  }
  void write_passenger_state_unsynced(const std::string& client_id,
                                      const std::string& passenger_module, const std::string& name,
                                      const std::optional<std::string>& text) override {
    write_passenger_state_fenced(client_id, passenger_module, name, text, nullptr, false);
  }
  std::map<std::string, std::string> list_passenger_state(
      const std::string& client_id, const std::string& passenger_module) override;

  // Flow history: the `flow_minutes` table (schema 8).
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

  Coordination* coordination() override { return coordination_.get(); }

  // The queue writes, fenced by `fence` when it is not null: the write's
  // transaction first checks the lease (check_fence() in
  // pg_coordination.h) and throws LeaseLostError, writing nothing, when it
  // is no longer held.
  void insert_entries_fenced(const std::string& client_id, std::span<const QueueEntry> entries,
                             const Lease* fence);
  std::vector<std::size_t> seat_entries_fenced(const std::string& client_id,
                                               std::span<const QueueEntry> entries,
                                               const Lease* fence);
  void update_entries_fenced(const std::string& client_id, std::span<const QueueEntry> entries,
                             SaveScope scope, const Lease* fence);
  std::size_t delete_complete_entries_fenced(const std::string& client_id,
                                             const std::string& passenger_module, TimePoint before,
                                             const Lease* fence);
  // A client passenger state write, fenced like the queue writes; unless
  // `synced`, committed with synchronous_commit off (the server's crash
  // keeps it, a power loss may not: write_passenger_state_unsynced()).
  void write_passenger_state_fenced(const std::string& client_id,
                                    const std::string& passenger_module, const std::string& name,
                                    const std::optional<std::string>& text, const Lease* fence,
                                    bool synced = true);

  SessionStorage* session_storage() override { return &sessions_; }

 private:
  // Runs `inner` (selecting sql::kEntryColumns, ordered) joined with the
  // attachments in one statement (one snapshot) and decodes the rows;
  // malformed ones are recorded as problems and skipped. Without content
  // and names, `inner` runs alone and the entries have no attachments.
  std::vector<QueueEntry> read_entries(const sql::Statement& inner, const std::string& client_id,
                                       bool with_content, bool with_names, bool newest_first);
  // Inserts `entries` (new ids) inside `tx`.
  void insert_rows(PgTransaction& tx, const std::string& client_id,
                   std::span<const QueueEntry> entries);
  // Multi-row INSERTs of the attachments of `entries`, inside `tx`.
  // The bytes of the spooled attachment at `position` of an entry, from
  // attachment_chunks into a new spool file (docs/storage-engines.md).
  // Throws CorruptDataError when they differ from `spooled` (size, SHA-256).
  std::shared_ptr<const SpooledFile> read_chunks(
      const std::string& client_id, const std::string& internal_id, std::int64_t position,
      const std::pair<std::uint64_t, std::string>& spooled);
  void insert_attachments(PgTransaction& tx, const std::string& client_id,
                          std::span<const QueueEntry> entries);

  PgPool pool_;
  std::string description_;
  // The nodes sharing this schema (pg_coordination.h).
  std::unique_ptr<PgCoordination> coordination_;
  sql::ProblemList problems_;
  PgSessionStorage sessions_{pool_};  // On pool_; usable once the schema is migrated.
};

}  // namespace databus
