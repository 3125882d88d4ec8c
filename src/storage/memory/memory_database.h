// The in-memory engine: the Database contract without files, for tests of the
// queue, driver and dispatcher, and as the reference the conformance suite
// holds every engine to. Nothing survives the object. Writes are "durable"
// trivially: they are visible to every later call once they return.
//
// Like the JSON DB, queue, log and backup methods accept any valid client id;
// client_ids() lists the clients whose configuration was written.
//
// Thread-safety: as Database. Each client has its own shared lock, so
// different clients and readers run in parallel.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "databus/database.h"
#include "databus/registry.h"
#include "storage/entry_index.h"

namespace databus {

// name "memory", alias "databus.database.memory"; no arguments.
ComponentSpec memory_database_spec();

// Throws ConfigError naming the key for any argument.
std::unique_ptr<Database> open_memory_database(const DatabaseEnv& env);

class MemoryDatabase : public Database {
 public:
  MemoryDatabase() = default;

  // Test hook: makes problems(problem.client_id) report `problem`, as an
  // engine does for a malformed stored item.
  void add_problem(StorageProblem problem);

  std::string engine() const override { return "memory"; }
  std::string describe() const override { return "memory (nothing is kept after exit)"; }

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
  std::map<std::string, std::string> list_passenger_state(
      const std::string& client_id, const std::string& passenger_module) override;

  void write_log(const std::string& client_id, const Log& log) override;
  std::vector<LogSummary> list_logs(const std::string& client_id) override;
  std::optional<Log> read_log(const std::string& client_id, const std::string& guid) override;
  std::size_t delete_logs_before(const std::string& client_id, TimePoint before) override;
  bool delete_log(const std::string& client_id, const std::string& guid) override;

 private:
  struct Backup {
    BackupInfo info;
    std::string text;
  };
  struct Client {
    std::shared_mutex mutex;  // Guards every field below.
    std::optional<std::string> config_text;
    ConfigVersion config_version;  // Of config_text.
    std::vector<Backup> backups;
    std::unordered_map<std::string, QueueEntry> entries;  // By internal_id.
    EntryIndex index;
    std::map<std::string, Log> logs;  // By guid.
    // Passenger state documents by passenger module, then name.
    std::map<std::string, std::map<std::string, std::string>> passenger_state;
    std::vector<StorageProblem> problems;
  };
  // The client's data, made on first use; valid as long as the database.
  Client& client(const std::string& client_id);

  std::mutex clients_mutex_;  // Guards clients_ (not the Client objects).
  std::map<std::string, std::unique_ptr<Client>> clients_;
};

}  // namespace databus
