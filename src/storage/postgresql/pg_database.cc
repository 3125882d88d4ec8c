#include "storage/postgresql/pg_database.h"

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/postgresql/pg_database_impl.h"
#include "storage/postgresql/pg_schema.h"
#include "storage/postgresql/pg_text.h"
#include "storage/sql/sql_codec.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

constexpr std::size_t kPgConnections = 8;

PgParam text(std::string value) { return {std::move(value), false}; }
PgParam number(std::int64_t value) { return {std::to_string(value), false}; }
// A document (configuration, backup), which may hold any bytes (pg_text.h).
PgParam document(std::string_view value) { return {pg_escape_text(value), false}; }

}  // namespace

PgDatabase::PgDatabase(PgSettings settings) : pool_(std::move(settings), kPgConnections) {
  const std::string& schema = pool_.settings().schema;
  migrate_pg_schema(pool_);
  coordination_ = std::make_unique<PgCoordination>(*this, pool_);
  description_ = "postgresql at " + pool_.acquire()->where() + " (schema " + schema + ")";
}

// --- Clients ------------------------------------------------------------------

std::vector<std::string> PgDatabase::client_ids() {
  const PgResult r = pool_.acquire()->run("SELECT client_id FROM clients ORDER BY client_id");
  std::vector<std::string> ids;
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.text(i, 0));
  return ids;
}

std::string PgDatabase::read_client_config_text(const std::string& client_id) {
  check_client_id(client_id);
  const PgResult r = pool_.acquire()->run("SELECT config_text FROM clients WHERE client_id = $1",
                                          {text(client_id)});
  if (r.rows() == 0) throw NotFoundError("unknown client '" + client_id + "'");
  return pg_unescape_text(r.text(0, 0));
}

ClientConfig PgDatabase::load_client(const std::string& client_id) {
  return ClientConfig::parse(client_id, read_client_config_text(client_id),
                             "configuration of client " + client_id + " (" + describe() + ")");
}

void PgDatabase::write_client_config_text(const std::string& client_id, const std::string& t) {
  check_client_id(client_id);
  pool_.acquire()->run(
      "INSERT INTO clients (client_id, config_text, config_version, config_saved_by) "
      "VALUES ($1, $2, $3, '') ON CONFLICT (client_id) DO UPDATE SET "
      "config_text = excluded.config_text, config_version = excluded.config_version, "
      "config_saved_by = ''",
      {text(client_id), document(t), text(ConfigVersion::make("").tag)});
}

VersionedText PgDatabase::read_client_config_versioned(const std::string& client_id) {
  check_client_id(client_id);
  const PgResult r = pool_.acquire()->run(
      "SELECT config_text, config_version, config_saved_by FROM clients WHERE client_id = $1",
      {text(client_id)});
  if (r.rows() == 0) throw NotFoundError("unknown client '" + client_id + "'");
  return VersionedText{
      pg_unescape_text(r.text(0, 0)),
      ConfigVersion{pg_unescape_text(r.text(0, 1)), pg_unescape_text(r.text(0, 2))}};
}

ConfigVersion PgDatabase::write_client_config_text_if(const std::string& client_id,
                                                      const std::string& t,
                                                      const std::string& expected_tag,
                                                      const std::string& saved_by) {
  check_client_id(client_id);
  const ConfigVersion next = ConfigVersion::make(saved_by);
  PgPool::Lease connection = pool_.acquire();
  // One statement: the row lock makes a concurrent update (from any node)
  // wait, and READ COMMITTED then re-checks the condition on the row it
  // wrote, so of two saves expecting the same tag only the first matches.
  const PgResult updated = connection->run(
      "UPDATE clients SET config_text = $2, config_version = $3, config_saved_by = $4 "
      "WHERE client_id = $1 AND config_version = $5",
      {text(client_id), document(t), text(next.tag), document(next.saved_by),
       document(expected_tag)});
  if (updated.affected() == 1) return next;
  const PgResult current =
      connection->run("SELECT config_version, config_saved_by FROM clients WHERE client_id = $1",
                      {text(client_id)});
  if (current.rows() == 0) throw NotFoundError("unknown client '" + client_id + "'");
  throw EditConflictError(
      "the configuration of client '" + client_id + "'", expected_tag,
      ConfigVersion{pg_unescape_text(current.text(0, 0)), pg_unescape_text(current.text(0, 1))});
}

// --- Customizing backups --------------------------------------------------------

void PgDatabase::write_backup(const std::string& client_id, const std::string& node,
                              const std::string& t) {
  check_client_id(client_id);
  check_file_name_id("customizing node", node);
  pool_.acquire()->run(
      "INSERT INTO backups (client_id, backup_id, node, created, content) "
      "VALUES ($1, $2, $3, $4, $5)",
      {text(client_id), text(new_uuid() + "-" + node), text(node),
       number(sql::to_micros(Clock::now())), document(t)});
}

std::vector<BackupInfo> PgDatabase::list_backups(const std::string& client_id) {
  check_client_id(client_id);
  const PgResult r = pool_.acquire()->run(
      "SELECT backup_id, node, created FROM backups WHERE client_id = $1 "
      "ORDER BY created, backup_id",
      {text(client_id)});
  std::vector<BackupInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.text(i, 0), r.text(i, 1), sql::from_micros(r.integer(i, 2))});
  }
  return out;
}

std::optional<std::string> PgDatabase::read_backup(const std::string& client_id,
                                                   const std::string& backup_id) {
  check_client_id(client_id);
  check_file_name_id("backup id", backup_id);
  const PgResult r =
      pool_.acquire()->run("SELECT content FROM backups WHERE client_id = $1 AND backup_id = $2",
                           {text(client_id), text(backup_id)});
  if (r.rows() == 0) return std::nullopt;
  return pg_unescape_text(r.text(0, 0));
}

void PgDatabase::restore_backup(const std::string& client_id, const BackupInfo& info,
                                const std::string& t) {
  check_client_id(client_id);
  check_backup_id(info.id, info.node);
  pool_.acquire()->run(
      "INSERT INTO backups (client_id, backup_id, node, created, content) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, backup_id) DO UPDATE SET "
      "node = excluded.node, created = excluded.created, content = excluded.content",
      {text(client_id), text(info.id), text(info.node), number(sql::to_micros(info.created)),
       document(t)});
}

std::size_t PgDatabase::delete_backups_before(const std::string& client_id, TimePoint before) {
  check_client_id(client_id);
  return static_cast<std::size_t>(
      pool_.acquire()
          ->run("DELETE FROM backups WHERE client_id = $1 AND created < $2",
                {text(client_id), number(sql::ceil_micros(before))})
          .affected());
}

// --- Logs -------------------------------------------------------------------------

void PgDatabase::write_log(const std::string& client_id, const Log& log) {
  check_client_id(client_id);
  check_uuid("log guid", log.guid());
  pool_.acquire()->run(
      "INSERT INTO logs (client_id, guid, created, worst_type, entries) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, guid) DO UPDATE SET "
      "created = excluded.created, worst_type = excluded.worst_type, entries = excluded.entries",
      {text(client_id), text(log.guid()), number(sql::to_micros(log.created())),
       text(std::string(to_string(log.worst_type()))), text(sql::encode_log_entries(log))});
}

std::vector<LogSummary> PgDatabase::list_logs(const std::string& client_id) {
  check_client_id(client_id);
  const PgResult r = pool_.acquire()->run(
      "SELECT guid, created, worst_type FROM logs WHERE client_id = $1 "
      "ORDER BY created DESC, guid DESC",
      {text(client_id)});
  std::vector<LogSummary> out;
  for (int i = 0; i < r.rows(); ++i) {
    const std::string guid = r.text(i, 0);
    try {
      out.push_back({guid, sql::from_micros(r.integer(i, 1)), parse_log_type(r.text(i, 2))});
    } catch (const std::invalid_argument& e) {
      problems_.add(client_id, "logs/" + guid, "logs/" + guid + ": worst_type: " + e.what());
    }
  }
  return out;
}

std::optional<Log> PgDatabase::read_log(const std::string& client_id, const std::string& guid) {
  check_client_id(client_id);
  check_uuid("log guid", guid);
  const PgResult r =
      pool_.acquire()->run("SELECT created, entries FROM logs WHERE client_id = $1 AND guid = $2",
                           {text(client_id), text(guid)});
  if (r.rows() == 0) return std::nullopt;
  try {
    return sql::decode_log(guid, sql::from_micros(r.integer(0, 0)), r.text(0, 1));
  } catch (const std::invalid_argument& e) {
    problems_.add(client_id, "logs/" + guid, "logs/" + guid + ": " + e.what());
    throw CorruptDataError("logs/" + guid, e.what());
  }
}

std::size_t PgDatabase::delete_logs_before(const std::string& client_id, TimePoint before) {
  check_client_id(client_id);
  return static_cast<std::size_t>(
      pool_.acquire()
          ->run("DELETE FROM logs WHERE client_id = $1 AND created < $2",
                {text(client_id), number(sql::ceil_micros(before))})
          .affected());
}

bool PgDatabase::delete_log(const std::string& client_id, const std::string& guid) {
  check_client_id(client_id);
  check_uuid("log guid", guid);
  return pool_.acquire()
             ->run("DELETE FROM logs WHERE client_id = $1 AND guid = $2",
                   {text(client_id), text(guid)})
             .affected() > 0;
}

std::vector<StorageProblem> PgDatabase::problems(const std::string& client_id) {
  check_client_id(client_id);
  return problems_.of(client_id);
}

// --- Opening ----------------------------------------------------------------------

ComponentSpec postgresql_database_spec() {
  ComponentSpec spec;
  spec.name = "postgresql";
  spec.summary =
      "Every client in one PostgreSQL schema (production, shared by several nodes); arguments "
      "host, port, dbname, user, password, schema, or conninfo";
  spec.aliases = {"databus.database.postgresql"};
  spec.settings = {
      {"host", "Server host name or socket directory; default: libpq's (PGHOST, local socket)",
       nullptr, false, false},
      {"port", "Server port; default: libpq's (PGPORT, 5432)", nullptr, false, false},
      {"dbname", "Database name; default: libpq's (PGDATABASE, the user name)", nullptr, false,
       false},
      {"user", "Role to connect as; default: libpq's (PGUSER, the OS user)", nullptr, false, false},
      {"password", "Password of the role; default: libpq's (PGPASSWORD, ~/.pgpass)", nullptr, false,
       true},
      {"schema", "Schema holding Databus's tables, created when missing", "public", false, false},
      {"conninfo",
       "A libpq connection string (\"host=db port=5432 dbname=databus\" or a postgresql:// URI); "
       "the other arguments override its parts",
       nullptr, false, true},
  };
  return spec;
}

std::unique_ptr<Database> open_postgresql_database(const DatabaseEnv& env) {
  return std::make_unique<PgDatabase>(PgSettings::from_arguments(env.arguments));
}

}  // namespace databus
