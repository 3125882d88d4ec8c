#include "storage/memory/memory_database.h"

#include <algorithm>
#include <tuple>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/storage_names.h"

namespace databus {

ComponentSpec memory_database_spec() {
  ComponentSpec spec;
  spec.name = "memory";
  spec.summary = "Keeps everything in memory, nothing survives a restart (tests, trials)";
  spec.aliases = {"databus.database.memory"};
  return spec;
}

std::unique_ptr<Database> open_memory_database(const DatabaseEnv& env) {
  if (!env.arguments.empty()) {
    throw ConfigError("database_arguments", env.arguments.begin()->first,
                      "unknown argument of the memory engine");
  }
  return std::make_unique<MemoryDatabase>();
}

namespace {

// A copy of `stored` whose attachments have their name and format but no
// content, without copying the contents first. Lists every field of
// QueueEntry, Passenger and Attachment (memory_database_test.cc checks it).
QueueEntry copy_without_contents(const QueueEntry& stored) {
  QueueEntry out;
  const Passenger& from = stored.passenger;
  Passenger& to = out.passenger;
  to.external_id = from.external_id;
  to.internal_id = from.internal_id;
  to.source_system = from.source_system;
  to.passenger_module = from.passenger_module;
  to.puller_module = from.puller_module;
  to.pull_datetime = from.pull_datetime;
  to.attachments.reserve(from.attachments.size());
  for (const Attachment& a : from.attachments) {
    Attachment& copy = to.attachments.emplace_back();
    copy.name = a.name;
    copy.format = a.format;
    copy.full_name = a.full_name;
    copy.spool = a.spool;  // A handle, not the bytes.
  }
  to.log_guids = from.log_guids;
  to.log_guids_dropped = from.log_guids_dropped;
  out.puller_notified = stored.puller_notified;
  out.processor_statuses = stored.processor_statuses;
  out.pusher_statuses = stored.pusher_statuses;
  return out;
}

}  // namespace

MemoryDatabase::Client& MemoryDatabase::client(const std::string& client_id) {
  check_client_id(client_id);
  std::lock_guard<std::mutex> guard(clients_mutex_);
  auto& slot = clients_[client_id];
  if (!slot) slot = std::make_unique<Client>();
  return *slot;
}

void MemoryDatabase::add_problem(StorageProblem problem) {
  Client& c = client(problem.client_id);
  std::unique_lock lock(c.mutex);
  c.problems.push_back(std::move(problem));
}

std::vector<std::string> MemoryDatabase::client_ids() {
  std::vector<std::pair<std::string, Client*>> all;
  {
    std::lock_guard<std::mutex> guard(clients_mutex_);
    for (auto& [id, c] : clients_) all.emplace_back(id, c.get());
  }
  std::vector<std::string> ids;
  for (auto& [id, c] : all) {
    std::shared_lock lock(c->mutex);
    if (c->config_text) ids.push_back(id);
  }
  return ids;  // clients_ is a sorted map.
}

std::string MemoryDatabase::read_client_config_text(const std::string& client_id) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  if (!c.config_text) throw NotFoundError("unknown client '" + client_id + "'");
  return *c.config_text;
}

ClientConfig MemoryDatabase::load_client(const std::string& client_id) {
  return ClientConfig::parse(client_id, read_client_config_text(client_id),
                             "memory:clients/" + client_id + "/config.json");
}

void MemoryDatabase::write_client_config_text(const std::string& client_id,
                                              const std::string& text) {
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  c.config_text = text;
  c.config_version = ConfigVersion::make("");
}

VersionedText MemoryDatabase::read_client_config_versioned(const std::string& client_id) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  if (!c.config_text) throw NotFoundError("unknown client '" + client_id + "'");
  return VersionedText{*c.config_text, c.config_version};
}

ConfigVersion MemoryDatabase::write_client_config_text_if(const std::string& client_id,
                                                          const std::string& text,
                                                          const std::string& expected_tag,
                                                          const std::string& saved_by) {
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  if (!c.config_text) throw NotFoundError("unknown client '" + client_id + "'");
  if (c.config_version.tag != expected_tag) {
    throw EditConflictError("the configuration of client '" + client_id + "'", expected_tag,
                            c.config_version);
  }
  c.config_text = text;
  c.config_version = ConfigVersion::make(saved_by);
  return c.config_version;
}

void MemoryDatabase::write_backup(const std::string& client_id, const std::string& node,
                                  const std::string& text) {
  check_file_name_id("customizing node", node);
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  c.backups.push_back({{new_uuid() + "-" + node, node, Clock::now()}, text});
}

std::vector<BackupInfo> MemoryDatabase::list_backups(const std::string& client_id) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  std::vector<BackupInfo> out;
  for (const Backup& b : c.backups) out.push_back(b.info);
  std::sort(out.begin(), out.end(), [](const BackupInfo& a, const BackupInfo& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  return out;
}

std::size_t MemoryDatabase::delete_backups_before(const std::string& client_id, TimePoint before) {
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  return std::erase_if(c.backups, [&](const Backup& b) { return b.info.created < before; });
}

std::optional<std::string> MemoryDatabase::read_backup(const std::string& client_id,
                                                       const std::string& backup_id) {
  check_file_name_id("backup id", backup_id);
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  for (const Backup& b : c.backups) {
    if (b.info.id == backup_id) return b.text;
  }
  return std::nullopt;
}

void MemoryDatabase::restore_backup(const std::string& client_id, const BackupInfo& info,
                                    const std::string& text) {
  check_backup_id(info.id, info.node);
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  std::erase_if(c.backups, [&](const Backup& b) { return b.info.id == info.id; });
  BackupInfo stored = info;
  stored.created = std::chrono::floor<std::chrono::microseconds>(info.created);
  c.backups.push_back({std::move(stored), text});
}

void MemoryDatabase::insert_entries(const std::string& client_id,
                                    std::span<const QueueEntry> entries) {
  for (const QueueEntry& e : entries) check_uuid("internal id", e.passenger.internal_id);
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  for (const QueueEntry& e : entries) {
    if (c.entries.count(e.passenger.internal_id) != 0) {
      throw StorageError("client " + client_id + ": entry " + e.passenger.internal_id +
                         " is stored already");
    }
  }
  for (const QueueEntry& e : entries) {
    c.entries.insert_or_assign(e.passenger.internal_id, e);
    c.index.put(e);
  }
}

void MemoryDatabase::update_entries(const std::string& client_id,
                                    std::span<const QueueEntry> entries, SaveScope scope) {
  for (const QueueEntry& e : entries) check_uuid("internal id", e.passenger.internal_id);
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  // Looked up once; all are checked before any is changed.
  std::vector<QueueEntry*> stored;
  stored.reserve(entries.size());
  for (const QueueEntry& e : entries) {
    auto it = c.entries.find(e.passenger.internal_id);
    if (it == c.entries.end()) {
      throw NotFoundError("client " + client_id + ": queue entry " + e.passenger.internal_id +
                          " is not stored");
    }
    stored.push_back(&it->second);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const QueueEntry& e = entries[i];
    QueueEntry& s = *stored[i];
    if (scope == SaveScope::everything) {
      s = e;
    } else {
      s.puller_notified = e.puller_notified;
      s.processor_statuses = e.processor_statuses;
      s.pusher_statuses = e.pusher_statuses;
      s.passenger.log_guids = e.passenger.log_guids;
      s.passenger.log_guids_dropped = e.passenger.log_guids_dropped;
    }
    c.index.put(s);
  }
}

std::vector<QueueEntry> MemoryDatabase::query_entries(const std::string& client_id,
                                                      const EntryQuery& query) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  const std::vector<std::string> ids = c.index.select(query);
  std::vector<QueueEntry> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    const QueueEntry& stored = c.entries.at(id);
    out.push_back(query.with_attachments ? stored : copy_without_contents(stored));
  }
  return out;
}

std::size_t MemoryDatabase::count_entries(const std::string& client_id, const EntryQuery& query) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  return c.index.count(query);
}

std::optional<QueueEntry> MemoryDatabase::load_entry(const std::string& client_id,
                                                     const std::string& internal_id) {
  check_uuid("internal id", internal_id);
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  auto it = c.entries.find(internal_id);
  if (it == c.entries.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> MemoryDatabase::find_entry(const std::string& client_id,
                                                      const std::string& passenger_module,
                                                      const std::string& source_system,
                                                      const std::string& external_id) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  return c.index.find_key(passenger_module, source_system, external_id);
}

std::map<DedupKey, std::string> MemoryDatabase::find_entries(const std::string& client_id,
                                                             const std::string& passenger_module,
                                                             std::span<const DedupKey> keys) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  std::map<DedupKey, std::string> found;
  for (const DedupKey& key : keys) {
    std::optional<std::string> id =
        c.index.find_key(passenger_module, key.source_system, key.external_id);
    if (id) found.emplace(key, std::move(*id));
  }
  return found;
}

std::set<std::string> MemoryDatabase::stored_ids(const std::string& client_id,
                                                 std::span<const std::string> internal_ids) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  std::set<std::string> found;
  for (const std::string& id : internal_ids) {
    if (c.entries.count(id) > 0) found.insert(id);
  }
  return found;
}

std::size_t MemoryDatabase::delete_complete_entries(const std::string& client_id,
                                                    const std::string& passenger_module,
                                                    TimePoint before) {
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  const std::vector<std::string> ids = c.index.complete_before(passenger_module, before);
  for (const std::string& id : ids) {
    c.index.erase(id);
    c.entries.erase(id);
  }
  return ids.size();
}

std::vector<StorageProblem> MemoryDatabase::problems(const std::string& client_id) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  return c.problems;
}

std::optional<std::string> MemoryDatabase::read_passenger_state(const std::string& client_id,
                                                                const std::string& passenger_module,
                                                                const std::string& name) {
  check_passenger_state_key(passenger_module, name);
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  auto passenger = c.passenger_state.find(passenger_module);
  if (passenger == c.passenger_state.end()) return std::nullopt;
  auto it = passenger->second.find(name);
  if (it == passenger->second.end()) return std::nullopt;
  return it->second;
}

void MemoryDatabase::write_passenger_state(const std::string& client_id,
                                           const std::string& passenger_module,
                                           const std::string& name,
                                           const std::optional<std::string>& text) {
  check_passenger_state_key(passenger_module, name);
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  if (text) {
    c.passenger_state[passenger_module].insert_or_assign(name, *text);
  } else if (auto passenger = c.passenger_state.find(passenger_module);
             passenger != c.passenger_state.end()) {
    passenger->second.erase(name);
  }
}

std::map<std::string, std::string> MemoryDatabase::list_passenger_state(
    const std::string& client_id, const std::string& passenger_module) {
  check_file_name_id("passenger", passenger_module);
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  auto passenger = c.passenger_state.find(passenger_module);
  if (passenger == c.passenger_state.end()) return {};
  return passenger->second;
}

void MemoryDatabase::write_log(const std::string& client_id, const Log& log) {
  check_uuid("log guid", log.guid());
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  c.logs.insert_or_assign(log.guid(), log);
}

std::vector<LogSummary> MemoryDatabase::list_logs(const std::string& client_id) {
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  std::vector<LogSummary> out;
  for (const auto& [guid, log] : c.logs) out.push_back({guid, log.created(), log.worst_type()});
  std::sort(out.begin(), out.end(), [](const LogSummary& a, const LogSummary& b) {
    return std::tie(b.created, b.guid) < std::tie(a.created, a.guid);
  });
  return out;
}

std::optional<Log> MemoryDatabase::read_log(const std::string& client_id, const std::string& guid) {
  check_uuid("log guid", guid);
  Client& c = client(client_id);
  std::shared_lock lock(c.mutex);
  auto it = c.logs.find(guid);
  if (it == c.logs.end()) return std::nullopt;
  return it->second;
}

std::size_t MemoryDatabase::delete_logs_before(const std::string& client_id, TimePoint before) {
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  return std::erase_if(c.logs, [&](const auto& item) { return item.second.created() < before; });
}

bool MemoryDatabase::delete_log(const std::string& client_id, const std::string& guid) {
  check_uuid("log guid", guid);
  Client& c = client(client_id);
  std::unique_lock lock(c.mutex);
  return c.logs.erase(guid) > 0;
}

}  // namespace databus
