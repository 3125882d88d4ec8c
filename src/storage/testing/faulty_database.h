// FaultyDatabase: a test helper (not part of the library) that wraps a
// Database and throws StorageError where a test tells it to, as LevelDB's
// SpecialEnv does. Use it to check that a caller survives a failing disk or
// an unreachable server:
//
//   MemoryDatabase memory;
//   FaultyDatabase db(memory);
//   db.fail_nth_write(2);               // the second write from now fails
//   db.fail_method("update_entries");   // every update_entries() fails
//   db.heal();                          // back to normal
//
// Writes are the methods that change stored data (write_*, restore_backup,
// insert_entries, update_entries, delete_*). A failing call throws before
// reaching the wrapped database, so nothing of it is stored.
//
// Thread-safety: as the wrapped database; the fault settings are guarded.
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "databus/database_wrapper.h"
#include "databus/error.h"

namespace databus {

class FaultyDatabase : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;

  // The `n`th write from now (1 = the next one) throws; later writes succeed.
  void fail_nth_write(int n) {
    std::lock_guard<std::mutex> guard(mutex_);
    countdown_ = n;
  }
  // Every call of `method` (e.g. "insert_entries", "query_entries") throws
  // until heal().
  void fail_method(const std::string& method) {
    std::lock_guard<std::mutex> guard(mutex_);
    failing_.insert(method);
  }
  // Every write throws until heal().
  void fail_all_writes() {
    std::lock_guard<std::mutex> guard(mutex_);
    all_writes_ = true;
  }
  void heal() {
    std::lock_guard<std::mutex> guard(mutex_);
    countdown_ = 0;
    failing_.clear();
    all_writes_ = false;
  }
  // Number of faults injected so far.
  int faults() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return faults_;
  }

  std::vector<std::string> client_ids() override {
    call("client_ids");
    return DatabaseWrapper::client_ids();
  }
  ClientConfig load_client(const std::string& c) override {
    call("load_client");
    return DatabaseWrapper::load_client(c);
  }
  std::string read_client_config_text(const std::string& c) override {
    call("read_client_config_text");
    return DatabaseWrapper::read_client_config_text(c);
  }
  void write_client_config_text(const std::string& c, const std::string& text) override {
    write("write_client_config_text");
    DatabaseWrapper::write_client_config_text(c, text);
  }
  VersionedText read_client_config_versioned(const std::string& c) override {
    call("read_client_config_versioned");
    return DatabaseWrapper::read_client_config_versioned(c);
  }
  ConfigVersion write_client_config_text_if(const std::string& c, const std::string& text,
                                            const std::string& expected_tag,
                                            const std::string& saved_by) override {
    write("write_client_config_text_if");
    return DatabaseWrapper::write_client_config_text_if(c, text, expected_tag, saved_by);
  }
  void write_backup(const std::string& c, const std::string& node,
                    const std::string& text) override {
    write("write_backup");
    DatabaseWrapper::write_backup(c, node, text);
  }
  std::vector<BackupInfo> list_backups(const std::string& c) override {
    call("list_backups");
    return DatabaseWrapper::list_backups(c);
  }
  std::size_t delete_backups_before(const std::string& c, TimePoint before) override {
    write("delete_backups_before");
    return DatabaseWrapper::delete_backups_before(c, before);
  }
  std::optional<std::string> read_backup(const std::string& c, const std::string& id) override {
    call("read_backup");
    return DatabaseWrapper::read_backup(c, id);
  }
  void restore_backup(const std::string& c, const BackupInfo& info,
                      const std::string& text) override {
    write("restore_backup");
    DatabaseWrapper::restore_backup(c, info, text);
  }
  void insert_entries(const std::string& c, std::span<const QueueEntry> entries) override {
    write("insert_entries");
    DatabaseWrapper::insert_entries(c, entries);
  }
  // A seat is an insert for the faults (fail_method("insert_entries")).
  std::vector<std::size_t> seat_entries(const std::string& c,
                                        std::span<const QueueEntry> entries) override {
    write("insert_entries");
    return DatabaseWrapper::seat_entries(c, entries);
  }
  void update_entries(const std::string& c, std::span<const QueueEntry> entries,
                      SaveScope scope) override {
    write("update_entries");
    DatabaseWrapper::update_entries(c, entries, scope);
  }
  std::vector<QueueEntry> query_entries(const std::string& c, const EntryQuery& q) override {
    call("query_entries");
    return DatabaseWrapper::query_entries(c, q);
  }
  std::size_t count_entries(const std::string& c, const EntryQuery& q) override {
    call("count_entries");
    return DatabaseWrapper::count_entries(c, q);
  }
  std::optional<QueueEntry> load_entry(const std::string& c, const std::string& id) override {
    call("load_entry");
    return DatabaseWrapper::load_entry(c, id);
  }
  std::optional<std::string> find_entry(const std::string& c, const std::string& module,
                                        const std::string& source,
                                        const std::string& external_id) override {
    call("find_entry");
    return DatabaseWrapper::find_entry(c, module, source, external_id);
  }
  std::map<DedupKey, std::string> find_entries(const std::string& c, const std::string& module,
                                               std::span<const DedupKey> keys) override {
    call("find_entries");
    return DatabaseWrapper::find_entries(c, module, keys);
  }
  std::set<std::string> stored_ids(const std::string& c,
                                   std::span<const std::string> ids) override {
    call("stored_ids");
    return DatabaseWrapper::stored_ids(c, ids);
  }
  std::size_t delete_complete_entries(const std::string& c, const std::string& module,
                                      TimePoint before) override {
    write("delete_complete_entries");
    return DatabaseWrapper::delete_complete_entries(c, module, before);
  }
  std::vector<StorageProblem> problems(const std::string& c) override {
    call("problems");
    return DatabaseWrapper::problems(c);
  }
  void write_log(const std::string& c, const Log& log) override {
    write("write_log");
    DatabaseWrapper::write_log(c, log);
  }
  std::vector<LogSummary> list_logs(const std::string& c) override {
    call("list_logs");
    return DatabaseWrapper::list_logs(c);
  }
  std::optional<Log> read_log(const std::string& c, const std::string& guid) override {
    call("read_log");
    return DatabaseWrapper::read_log(c, guid);
  }
  std::size_t delete_logs_before(const std::string& c, TimePoint before) override {
    write("delete_logs_before");
    return DatabaseWrapper::delete_logs_before(c, before);
  }
  bool delete_log(const std::string& c, const std::string& guid) override {
    write("delete_log");
    return DatabaseWrapper::delete_log(c, guid);
  }

 private:
  void call(const char* method) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (failing_.count(method) != 0) fault(method);
  }
  void write(const char* method) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (all_writes_ || failing_.count(method) != 0) fault(method);
    if (countdown_ > 0 && --countdown_ == 0) fault(method);
  }
  // REQUIRES: mutex_ held.
  [[noreturn]] void fault(const char* method) {
    ++faults_;
    throw StorageError(std::string("injected fault in ") + method + " (FaultyDatabase)");
  }

  mutable std::mutex mutex_;
  int countdown_ = 0;
  bool all_writes_ = false;
  std::set<std::string, std::less<>> failing_;
  int faults_ = 0;
};

}  // namespace databus
