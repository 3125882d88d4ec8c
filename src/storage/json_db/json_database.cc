#include "storage/json_db/json_database.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "databus/error.h"
#include "fs/atomic_file.h"
#include "fs/directory_lock.h"
#include "storage/json_db/client_store.h"
#include "storage/json_db/entry_store.h"
#include "storage/json_db/file_workers.h"
#include "storage/json_db/log_store.h"
#include "storage/json_db/state_store.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

// Runs `f`, turning std::filesystem errors into StorageError naming the path.
template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const stdfs::filesystem_error& e) {
    throw StorageError(e.what());
  }
}

// Everything stored for one client.
struct ClientData {
  ClientData(const stdfs::path& dir, const std::string& id, FileWorkers* workers)
      : config(dir, id),
        entries(dir / "pqueue", id, workers),
        logs(dir / "log", id),
        state(dir / "state") {}
  ClientStore config;
  EntryStore entries;
  LogStore logs;
  StateStore state;
};

class JsonDatabase : public Database {
 public:
  explicit JsonDatabase(stdfs::path root) : root_(std::move(root)), lock_(root_) {
    guarded([&] { open_clients(); });
  }

  std::string engine() const override { return "json_db"; }
  std::string describe() const override { return "json_db at " + root_.string(); }

  std::vector<std::string> client_ids() override {
    return guarded([&] {
      std::vector<std::string> ids;
      std::error_code ec;
      for (const auto& item : stdfs::directory_iterator(root_ / "clients")) {
        if (item.is_directory(ec) && stdfs::is_regular_file(item.path() / "config.json", ec)) {
          ids.push_back(item.path().filename().string());
        }
      }
      std::sort(ids.begin(), ids.end());
      return ids;
    });
  }
  ClientConfig load_client(const std::string& id) override {
    return guarded([&] { return client(id).config.load_config(); });
  }
  std::string read_client_config_text(const std::string& id) override {
    return guarded([&] { return client(id).config.read_config_text(); });
  }
  void write_client_config_text(const std::string& id, const std::string& text) override {
    guarded([&] { client(id).config.write_config_text(text); });
  }
  VersionedText read_client_config_versioned(const std::string& id) override {
    return guarded([&] { return client(id).config.read_config_versioned(); });
  }
  ConfigVersion write_client_config_text_if(const std::string& id, const std::string& text,
                                            const std::string& expected_tag,
                                            const std::string& saved_by) override {
    return guarded(
        [&] { return client(id).config.write_config_text_if(text, expected_tag, saved_by); });
  }

  void write_backup(const std::string& id, const std::string& node,
                    const std::string& text) override {
    guarded([&] { client(id).config.write_backup(node, text); });
  }
  std::vector<BackupInfo> list_backups(const std::string& id) override {
    return guarded([&] { return client(id).config.list_backups(); });
  }
  std::size_t delete_backups_before(const std::string& id, TimePoint before) override {
    return guarded([&] { return client(id).config.delete_backups_before(before); });
  }

  std::optional<std::string> read_backup(const std::string& id,
                                         const std::string& backup_id) override {
    return guarded([&] { return client(id).config.read_backup(backup_id); });
  }
  void restore_backup(const std::string& id, const BackupInfo& info,
                      const std::string& text) override {
    guarded([&] { client(id).config.restore_backup(info, text); });
  }

  void insert_entries(const std::string& id, std::span<const QueueEntry> entries) override {
    guarded([&] { client(id).entries.insert(entries); });
  }
  void update_entries(const std::string& id, std::span<const QueueEntry> entries,
                      SaveScope scope) override {
    guarded([&] { client(id).entries.update(entries, scope); });
  }
  std::vector<QueueEntry> query_entries(const std::string& id, const EntryQuery& query) override {
    return guarded([&] { return client(id).entries.query(query); });
  }
  std::size_t count_entries(const std::string& id, const EntryQuery& query) override {
    return guarded([&] { return client(id).entries.count(query); });
  }
  std::optional<QueueEntry> load_entry(const std::string& id,
                                       const std::string& internal_id) override {
    return guarded([&] { return client(id).entries.load(internal_id); });
  }
  std::optional<std::string> find_entry(const std::string& id, const std::string& passenger_module,
                                        const std::string& source_system,
                                        const std::string& external_id) override {
    return guarded(
        [&] { return client(id).entries.find(passenger_module, source_system, external_id); });
  }
  std::map<DedupKey, std::string> find_entries(const std::string& id,
                                               const std::string& passenger_module,
                                               std::span<const DedupKey> keys) override {
    return guarded([&] { return client(id).entries.find_all(passenger_module, keys); });
  }
  std::set<std::string> stored_ids(const std::string& id,
                                   std::span<const std::string> internal_ids) override {
    return guarded([&] { return client(id).entries.stored_ids(internal_ids); });
  }
  std::size_t delete_complete_entries(const std::string& id, const std::string& passenger_module,
                                      TimePoint before) override {
    return guarded([&] { return client(id).entries.delete_complete(passenger_module, before); });
  }
  std::vector<StorageProblem> problems(const std::string& id) override {
    return guarded([&] {
      ClientData& data = client(id);
      std::vector<StorageProblem> all = data.entries.problems();
      for (auto& p : data.logs.problems()) all.push_back(std::move(p));
      return all;
    });
  }

  std::optional<std::string> read_passenger_state(const std::string& id,
                                                  const std::string& passenger_module,
                                                  const std::string& name) override {
    check_passenger_state_key(passenger_module, name);
    return guarded([&] { return client(id).state.read(passenger_module, name); });
  }
  void write_passenger_state(const std::string& id, const std::string& passenger_module,
                             const std::string& name,
                             const std::optional<std::string>& text) override {
    check_passenger_state_key(passenger_module, name);
    guarded([&] { client(id).state.write(passenger_module, name, text); });
  }
  void write_passenger_state_unsynced(const std::string& id, const std::string& passenger_module,
                                      const std::string& name,
                                      const std::optional<std::string>& text) override {
    check_passenger_state_key(passenger_module, name);
    guarded([&] { client(id).state.write(passenger_module, name, text, false); });
  }
  std::map<std::string, std::string> list_passenger_state(
      const std::string& id, const std::string& passenger_module) override {
    check_file_name_id("passenger", passenger_module);
    return guarded([&] { return client(id).state.list(passenger_module); });
  }

  void write_log(const std::string& id, const Log& log) override {
    guarded([&] { client(id).logs.write(log); });
  }
  std::vector<LogSummary> list_logs(const std::string& id) override {
    return guarded([&] { return client(id).logs.list(); });
  }
  std::optional<Log> read_log(const std::string& id, const std::string& guid) override {
    return guarded([&] { return client(id).logs.read(guid); });
  }
  std::size_t delete_logs_before(const std::string& id, TimePoint before) override {
    return guarded([&] { return client(id).logs.delete_before(before); });
  }
  bool delete_log(const std::string& id, const std::string& guid) override {
    return guarded([&] { return client(id).logs.remove(guid); });
  }

 private:
  // Creates clients/ and replays the queue journals a crash left behind, at
  // once, so the directory holds the plain layout again however little of
  // it this process uses.
  void open_clients() {
    durable::create_directories_durably(root_ / "clients");
    std::error_code ec;
    for (const auto& item : stdfs::directory_iterator(root_ / "clients")) {
      const stdfs::path pqueue = item.path() / "pqueue";
      if (!stdfs::exists(EntryStore::journal_path(pqueue), ec)) continue;
      const std::string id = item.path().filename().string();
      try {
        check_client_id(id);
      } catch (const ConfigError&) {
        continue;  // Not a folder this engine writes.
      }
      // One client's journal never keeps the database from opening: a
      // replay that fails for lack of space is tried again by that client's
      // next call, and any other failure is set aside (EntryStore).
      try {
        client(id).entries.recover();
      } catch (const std::exception&) {
      }
    }
  }

  // The stores of `id`, made on first use. Stores live as long as the
  // database, so the returned reference stays valid.
  ClientData& client(const std::string& id) {
    check_client_id(id);
    std::lock_guard<std::mutex> guard(clients_mutex_);
    auto& slot = clients_[id];
    if (!slot) slot = std::make_unique<ClientData>(root_ / "clients" / id, id, &workers_);
    return *slot;
  }

  const stdfs::path root_;
  durable::DirectoryLock lock_;
  // Shared by every client's store; outlives them (declared before clients_).
  FileWorkers workers_{FileWorkers::default_workers()};
  std::mutex clients_mutex_;  // Guards clients_ (not the stores, which lock themselves).
  std::map<std::string, std::unique_ptr<ClientData>> clients_;
};

}  // namespace

ComponentSpec json_database_spec() {
  ComponentSpec spec;
  spec.name = "json_db";
  spec.summary =
      "Files under the data directory in the original Databus layout (default engine); "
      "argument path=<dir> overrides the data directory";
  spec.aliases = {"databus.database.json_db.json_database"};
  return spec;
}

std::unique_ptr<Database> open_json_database(const DatabaseEnv& env) {
  stdfs::path root = env.data_dir;
  for (const auto& [key, value] : env.arguments) {
    if (key == "path") {
      root = value;
    } else {
      throw ConfigError("database_arguments", key, "unknown argument of the json_db engine");
    }
  }
  if (root.empty())
    throw ConfigError("database_arguments", "path", "json_db needs a data directory");
  return guarded([&] { return std::make_unique<JsonDatabase>(root); });
}

}  // namespace databus
