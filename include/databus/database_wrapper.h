// DatabaseWrapper: a Database that forwards every call to another Database
// (LevelDB's EnvWrapper). Derive from it and override only what you want to
// decorate: count calls, inject faults, log, slow things down.
//
//   class CountingDatabase : public DatabaseWrapper {
//    public:
//     using DatabaseWrapper::DatabaseWrapper;
//     void write_log(const std::string& client, const Log& log) override {
//       ++writes;
//       DatabaseWrapper::write_log(client, log);
//     }
//     int writes = 0;
//   };
//
// seat_entries() forwards to the wrapped database (whose own may be atomic
// across processes): a wrapper that decorates insert_entries() decorates
// seat_entries() too.
//
// Thread-safety: as the wrapped database; the wrapper adds no state.
#pragma once

#include <memory>
#include <utility>

#include "databus/database.h"

namespace databus {

class DatabaseWrapper : public Database {
 public:
  // Owns `target`. REQUIRES: target != nullptr.
  explicit DatabaseWrapper(std::unique_ptr<Database> target)
      : owned_(std::move(target)), target_(owned_.get()) {}
  // Borrows `target`, which must outlive the wrapper.
  explicit DatabaseWrapper(Database& target) : target_(&target) {}

  DatabaseWrapper(const DatabaseWrapper&) = delete;
  DatabaseWrapper& operator=(const DatabaseWrapper&) = delete;

  // The wrapped database.
  Database& target() const { return *target_; }

  std::string engine() const override { return target_->engine(); }
  std::string describe() const override { return target_->describe(); }

  std::vector<std::string> client_ids() override { return target_->client_ids(); }
  ClientConfig load_client(const std::string& client_id) override {
    return target_->load_client(client_id);
  }
  std::string read_client_config_text(const std::string& client_id) override {
    return target_->read_client_config_text(client_id);
  }
  void write_client_config_text(const std::string& client_id, const std::string& text) override {
    target_->write_client_config_text(client_id, text);
  }
  VersionedText read_client_config_versioned(const std::string& client_id) override {
    return target_->read_client_config_versioned(client_id);
  }
  ConfigVersion write_client_config_text_if(const std::string& client_id, const std::string& text,
                                            const std::string& expected_tag,
                                            const std::string& saved_by) override {
    return target_->write_client_config_text_if(client_id, text, expected_tag, saved_by);
  }

  void write_backup(const std::string& client_id, const std::string& node,
                    const std::string& text) override {
    target_->write_backup(client_id, node, text);
  }
  std::vector<BackupInfo> list_backups(const std::string& client_id) override {
    return target_->list_backups(client_id);
  }
  std::size_t delete_backups_before(const std::string& client_id, TimePoint before) override {
    return target_->delete_backups_before(client_id, before);
  }
  std::optional<std::string> read_backup(const std::string& client_id,
                                         const std::string& backup_id) override {
    return target_->read_backup(client_id, backup_id);
  }
  void restore_backup(const std::string& client_id, const BackupInfo& info,
                      const std::string& text) override {
    target_->restore_backup(client_id, info, text);
  }

  void insert_entries(const std::string& client_id, std::span<const QueueEntry> entries) override {
    target_->insert_entries(client_id, entries);
  }
  void update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                      SaveScope scope) override {
    target_->update_entries(client_id, entries, scope);
  }
  std::vector<QueueEntry> query_entries(const std::string& client_id,
                                        const EntryQuery& query) override {
    return target_->query_entries(client_id, query);
  }
  std::size_t count_entries(const std::string& client_id, const EntryQuery& query) override {
    return target_->count_entries(client_id, query);
  }
  std::optional<QueueEntry> load_entry(const std::string& client_id,
                                       const std::string& internal_id) override {
    return target_->load_entry(client_id, internal_id);
  }
  std::optional<std::string> find_entry(const std::string& client_id,
                                        const std::string& passenger_module,
                                        const std::string& source_system,
                                        const std::string& external_id) override {
    return target_->find_entry(client_id, passenger_module, source_system, external_id);
  }
  std::map<DedupKey, std::string> find_entries(const std::string& client_id,
                                               const std::string& passenger_module,
                                               std::span<const DedupKey> keys) override {
    return target_->find_entries(client_id, passenger_module, keys);
  }
  std::vector<std::size_t> seat_entries(const std::string& client_id,
                                        std::span<const QueueEntry> entries) override {
    return target_->seat_entries(client_id, entries);
  }
  std::set<std::string> stored_ids(const std::string& client_id,
                                   std::span<const std::string> internal_ids) override {
    return target_->stored_ids(client_id, internal_ids);
  }
  std::size_t delete_complete_entries(const std::string& client_id,
                                      const std::string& passenger_module,
                                      TimePoint before) override {
    return target_->delete_complete_entries(client_id, passenger_module, before);
  }
  std::vector<StorageProblem> problems(const std::string& client_id) override {
    return target_->problems(client_id);
  }

  std::optional<std::string> read_passenger_state(const std::string& client_id,
                                                  const std::string& passenger_module,
                                                  const std::string& name) override {
    return target_->read_passenger_state(client_id, passenger_module, name);
  }
  void write_passenger_state(const std::string& client_id, const std::string& passenger_module,
                             const std::string& name,
                             const std::optional<std::string>& text) override {
    target_->write_passenger_state(client_id, passenger_module, name, text);
  }
  void write_passenger_state_unsynced(const std::string& client_id,
                                      const std::string& passenger_module, const std::string& name,
                                      const std::optional<std::string>& text) override {
    target_->write_passenger_state_unsynced(client_id, passenger_module, name, text);
  }
  std::map<std::string, std::string> list_passenger_state(
      const std::string& client_id, const std::string& passenger_module) override {
    return target_->list_passenger_state(client_id, passenger_module);
  }
  void add_flow_counts(const std::string& client_id, const std::string& passenger_module,
                       TimePoint minute, const FlowCounts& counts) override {
    target_->add_flow_counts(client_id, passenger_module, minute, counts);
  }
  FlowHistory read_flow_counts(const std::string& client_id, const std::string& passenger_module,
                               TimePoint since) override {
    return target_->read_flow_counts(client_id, passenger_module, since);
  }
  std::size_t delete_flow_counts_before(const std::string& client_id,
                                        const std::string& passenger_module,
                                        TimePoint before) override {
    return target_->delete_flow_counts_before(client_id, passenger_module, before);
  }
  void write_log(const std::string& client_id, const Log& log) override {
    target_->write_log(client_id, log);
  }
  std::vector<LogSummary> list_logs(const std::string& client_id) override {
    return target_->list_logs(client_id);
  }
  std::optional<Log> read_log(const std::string& client_id, const std::string& guid) override {
    return target_->read_log(client_id, guid);
  }
  std::size_t delete_logs_before(const std::string& client_id, TimePoint before) override {
    return target_->delete_logs_before(client_id, before);
  }
  bool delete_log(const std::string& client_id, const std::string& guid) override {
    return target_->delete_log(client_id, guid);
  }
  Coordination* coordination() override { return target_->coordination(); }

  SessionStorage* session_storage() override { return target_->session_storage(); }

 private:
  std::unique_ptr<Database> owned_;  // Null when borrowed.
  Database* target_;
};

}  // namespace databus
