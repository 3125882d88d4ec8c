#include "storage/sqlite/sqlite_database.h"

#include <system_error>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/sql/sql_codec.h"
#include "storage/sqlite/sqlite_database_impl.h"
#include "storage/sqlite/sqlite_schema.h"
#include "storage/storage_names.h"

namespace databus {

// Readers in parallel with one writer; more connections than workers would
// only hold memory.
constexpr std::size_t kSqliteConnections = 8;

namespace {
std::unique_ptr<durable::DirectoryLock> lock_file_of(const std::filesystem::path& path, bool lock) {
  if (!lock) return nullptr;
  return std::make_unique<durable::DirectoryLock>(std::filesystem::path(path).concat(".lock"),
                                                  "SQLite database " + path.string());
}
}  // namespace

SqliteDatabase::SqliteDatabase(std::filesystem::path path, bool lock_process)
    : process_lock_(lock_file_of(path, lock_process)),
      pool_(path, kSqliteConnections),
      blobs_(std::filesystem::path(path).concat(".blobs")) {
  migrate_sqlite_schema(pool_);
  // Only the process holding the file may take what it finds for orphans.
  if (process_lock_ == nullptr) return;
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(), "SELECT 1 FROM entries WHERE client_id = ? AND internal_id = ?");
  blobs_.sweep([&q](const std::string& client_id, const std::string& internal_id) {
    q.reset();
    q.bind(1, client_id).bind(2, internal_id);
    return q.step();
  });
}

// --- Clients ------------------------------------------------------------------

std::vector<std::string> SqliteDatabase::client_ids() {
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(), "SELECT client_id FROM clients ORDER BY client_id");
  std::vector<std::string> ids;
  while (q.step()) ids.push_back(q.text(0));
  return ids;
}

std::string SqliteDatabase::read_client_config_text(const std::string& client_id) {
  check_client_id(client_id);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(), "SELECT config_text FROM clients WHERE client_id = ?");
  q.bind(1, client_id);
  if (!q.step()) throw NotFoundError("unknown client '" + client_id + "'");
  return q.text(0);
}

ClientConfig SqliteDatabase::load_client(const std::string& client_id) {
  return ClientConfig::parse(client_id, read_client_config_text(client_id),
                             "configuration of client " + client_id + " (" + describe() + ")");
}

void SqliteDatabase::write_client_config_text(const std::string& client_id,
                                              const std::string& text) {
  check_client_id(client_id);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(),
              "INSERT INTO clients (client_id, config_text, config_version, config_saved_by) "
              "VALUES (?, ?, ?, '') ON CONFLICT (client_id) DO UPDATE SET "
              "config_text = excluded.config_text, config_version = excluded.config_version, "
              "config_saved_by = ''")
      .bind(1, client_id)
      .bind(2, text)
      .bind(3, ConfigVersion::make("").tag)
      .run();
  write.commit();
}

VersionedText SqliteDatabase::read_client_config_versioned(const std::string& client_id) {
  check_client_id(client_id);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT config_text, config_version, config_saved_by FROM clients "
                "WHERE client_id = ?");
  q.bind(1, client_id);
  if (!q.step()) throw NotFoundError("unknown client '" + client_id + "'");
  return VersionedText{q.text(0), ConfigVersion{q.text(1), q.text(2)}};
}

ConfigVersion SqliteDatabase::write_client_config_text_if(const std::string& client_id,
                                                          const std::string& text,
                                                          const std::string& expected_tag,
                                                          const std::string& saved_by) {
  check_client_id(client_id);
  // BEGIN IMMEDIATE: no other connection, of this process or another, writes
  // between the comparison and the update.
  SqliteWrite write(pool_);
  ConfigVersion current;
  {
    SqliteQuery q(write.connection(),
                  "SELECT config_version, config_saved_by FROM clients WHERE client_id = ?");
    q.bind(1, client_id);
    if (!q.step()) throw NotFoundError("unknown client '" + client_id + "'");
    current = ConfigVersion{q.text(0), q.text(1)};
  }
  if (current.tag != expected_tag) {
    throw EditConflictError("the configuration of client '" + client_id + "'", expected_tag,
                            current);
  }
  ConfigVersion next = ConfigVersion::make(saved_by);
  SqliteQuery(write.connection(),
              "UPDATE clients SET config_text = ?, config_version = ?, config_saved_by = ? "
              "WHERE client_id = ?")
      .bind(1, text)
      .bind(2, next.tag)
      .bind(3, next.saved_by)
      .bind(4, client_id)
      .run();
  write.commit();
  return next;
}

// --- Customizing backups --------------------------------------------------------

void SqliteDatabase::write_backup(const std::string& client_id, const std::string& node,
                                  const std::string& text) {
  check_client_id(client_id);
  check_file_name_id("customizing node", node);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(),
              "INSERT INTO backups (client_id, backup_id, node, created, content) "
              "VALUES (?, ?, ?, ?, ?)")
      .bind(1, client_id)
      .bind(2, new_uuid() + "-" + node)
      .bind(3, node)
      .bind(4, sql::to_micros(Clock::now()))
      .bind(5, text)
      .run();
  write.commit();
}

std::vector<BackupInfo> SqliteDatabase::list_backups(const std::string& client_id) {
  check_client_id(client_id);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT backup_id, node, created FROM backups WHERE client_id = ? "
                "ORDER BY created, backup_id");
  q.bind(1, client_id);
  std::vector<BackupInfo> out;
  while (q.step()) out.push_back({q.text(0), q.text(1), sql::from_micros(q.integer(2))});
  return out;
}

std::optional<std::string> SqliteDatabase::read_backup(const std::string& client_id,
                                                       const std::string& backup_id) {
  check_client_id(client_id);
  check_file_name_id("backup id", backup_id);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT content FROM backups WHERE client_id = ? AND backup_id = ?");
  q.bind(1, client_id).bind(2, backup_id);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

void SqliteDatabase::restore_backup(const std::string& client_id, const BackupInfo& info,
                                    const std::string& text) {
  check_client_id(client_id);
  check_backup_id(info.id, info.node);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(),
              "INSERT OR REPLACE INTO backups (client_id, backup_id, node, created, content) "
              "VALUES (?, ?, ?, ?, ?)")
      .bind(1, client_id)
      .bind(2, info.id)
      .bind(3, info.node)
      .bind(4, sql::to_micros(info.created))
      .bind(5, text)
      .run();
  write.commit();
}

std::size_t SqliteDatabase::delete_backups_before(const std::string& client_id, TimePoint before) {
  check_client_id(client_id);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(), "DELETE FROM backups WHERE client_id = ? AND created < ?")
      .bind(1, client_id)
      .bind(2, sql::ceil_micros(before))
      .run();
  const auto n = static_cast<std::size_t>(write.connection().changes());
  write.commit();
  return n;
}

// --- Logs -------------------------------------------------------------------------

void SqliteDatabase::write_log(const std::string& client_id, const Log& log) {
  check_client_id(client_id);
  check_uuid("log guid", log.guid());
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(),
              "INSERT INTO logs (client_id, guid, created, worst_type, entries) "
              "VALUES (?, ?, ?, ?, ?) ON CONFLICT (client_id, guid) DO UPDATE SET "
              "created = excluded.created, worst_type = excluded.worst_type, "
              "entries = excluded.entries")
      .bind(1, client_id)
      .bind(2, log.guid())
      .bind(3, sql::to_micros(log.created()))
      .bind(4, to_string(log.worst_type()))
      .bind(5, sql::encode_log_entries(log))
      .run();
  write.commit();
}

std::vector<LogSummary> SqliteDatabase::list_logs(const std::string& client_id) {
  check_client_id(client_id);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT guid, created, worst_type FROM logs WHERE client_id = ? "
                "ORDER BY created DESC, guid DESC");
  q.bind(1, client_id);
  std::vector<LogSummary> out;
  while (q.step()) {
    const std::string guid = q.text(0);
    try {
      out.push_back({guid, sql::from_micros(q.integer(1)), parse_log_type(q.text(2))});
    } catch (const std::invalid_argument& e) {
      problems_.add(client_id, "logs/" + guid, "logs/" + guid + ": worst_type: " + e.what());
    }
  }
  return out;
}

std::optional<Log> SqliteDatabase::read_log(const std::string& client_id, const std::string& guid) {
  check_client_id(client_id);
  check_uuid("log guid", guid);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT created, entries FROM logs WHERE client_id = ? AND guid = ?");
  q.bind(1, client_id).bind(2, guid);
  if (!q.step()) return std::nullopt;
  try {
    return sql::decode_log(guid, sql::from_micros(q.integer(0)), q.text(1));
  } catch (const std::invalid_argument& e) {
    problems_.add(client_id, "logs/" + guid, "logs/" + guid + ": " + e.what());
    throw CorruptDataError("logs/" + guid, e.what());
  }
}

std::size_t SqliteDatabase::delete_logs_before(const std::string& client_id, TimePoint before) {
  check_client_id(client_id);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(), "DELETE FROM logs WHERE client_id = ? AND created < ?")
      .bind(1, client_id)
      .bind(2, sql::ceil_micros(before))
      .run();
  const auto n = static_cast<std::size_t>(write.connection().changes());
  write.commit();
  return n;
}

bool SqliteDatabase::delete_log(const std::string& client_id, const std::string& guid) {
  check_client_id(client_id);
  check_uuid("log guid", guid);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(), "DELETE FROM logs WHERE client_id = ? AND guid = ?")
      .bind(1, client_id)
      .bind(2, guid)
      .run();
  const bool deleted = write.connection().changes() > 0;
  write.commit();
  return deleted;
}

std::vector<StorageProblem> SqliteDatabase::problems(const std::string& client_id) {
  check_client_id(client_id);
  return problems_.of(client_id);
}

// --- Opening ----------------------------------------------------------------------

ComponentSpec sqlite_database_spec() {
  ComponentSpec spec;
  spec.name = "sqlite";
  spec.summary =
      "Every client in one SQLite file (fast single node); argument path=<file>, default "
      "<data dir>/databus.sqlite";
  spec.aliases = {"databus.database.sqlite"};
  spec.settings = {{"path", "The database file; created with its directory when missing",
                    "<data dir>/databus.sqlite", false, false}};
  return spec;
}

std::unique_ptr<Database> open_sqlite_database(const DatabaseEnv& env) {
  std::filesystem::path path;
  for (const auto& [key, value] : env.arguments) {
    if (key != "path") {
      throw ConfigError("database_arguments", key, "unknown argument of the sqlite engine");
    }
    if (value.empty()) throw ConfigError("database_arguments", key, "must not be empty");
    path = value;
  }
  if (path.empty()) {
    if (env.data_dir.empty()) {
      throw ConfigError("database_arguments", "path", "sqlite needs a file or a data directory");
    }
    path = env.data_dir / "databus.sqlite";
  }
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw StorageError("sqlite " + path.string() + ": cannot create directory " +
                         path.parent_path().string() + ": " + ec.message());
    }
  }
  return std::make_unique<SqliteDatabase>(path);
}

}  // namespace databus
