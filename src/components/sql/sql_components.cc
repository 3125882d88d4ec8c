// The specs of the SQL connectors and their registration.
#include "components/sql/sql_components.h"

#include "components/sql/sql_puller.h"
#include "components/sql/sql_pusher.h"
#include "components/sql/sql_settings.h"

namespace databus {

namespace sql {

std::vector<SettingSpec> connection_settings() {
  return {
      SettingSpec{"connection",
                  "ODBC connection string naming a driver registered with unixODBC, e.g. "
                  "\"Driver=PostgreSQL Unicode;Server=erp.example;Port=5432;Database=erp;"
                  "Uid=databus;Pwd=${env:ERP_DB_PASSWORD}\". DSN-less only; keys allowed: "
                  "Driver, Server, Host, Port, Database, Uid, User, Pwd, Password, SSLmode, "
                  "Encrypt, TrustServerCertificate, Charset, DB. Secret: never shown.",
                  nullptr, true, true}
          .string(),
      SettingSpec{"database_file",
                  "The database file of a file database (the SQLite drivers), which the "
                  "connection string may not name; empty for a server database.",
                  "", false, false, HostAccess::path}
          .string(),
      SettingSpec{"login_timeout_seconds", "Seconds connecting may take.", 30}.integer(1, 3600),
  };
}

}  // namespace sql

ComponentSpec sql_puller_spec() {
  ComponentSpec spec;
  spec.name = kSqlPullerModule;
  spec.summary = "Runs a query each drive; each row (or group of rows) becomes a passenger.";
  spec.settings = sql::connection_settings();
  const std::vector<SettingSpec> more = {
      SettingSpec{"query",
                  "The SELECT to run. With tracking_column, each '?' is bound to the last "
                  "tracked value, e.g. \"SELECT * FROM orders WHERE id > ? ORDER BY id\".",
                  nullptr, true}
          .string(),
      SettingSpec{"external_id_column", "The column whose value is the external id.", nullptr, true}
          .string(),
      SettingSpec{"tracking_column",
                  "An increasing column (an id, a timestamp) whose greatest seated value is "
                  "kept and bound to the query's '?'; empty: every drive reads every row.",
                  ""}
          .string(),
      SettingSpec{"initial_value",
                  "Bound to '?' before any value is kept: digits for an integer column, "
                  "\"1970-01-01T00:00:00\" for a timestamp column.",
                  "0"}
          .string(),
      SettingSpec{"grace",
                  "Read again this far below the kept value (ids, or seconds for a "
                  "timestamp), for rows committed late; repeats are dropped by external id.",
                  0}
          .number(0),
      SettingSpec{"source_system", "Source system of the passengers.", "sql"}.string(),
      SettingSpec{"batch_rows", "Rows the driver fetches at a time.", 1000}.integer(1, 100000),
      SettingSpec{"max_rows", "New rows taken per drive (the rest at the next one).", 10000}
          .integer(1),
      SettingSpec{"group_rows",
                  "Consecutive rows sharing the external id make one passenger (rows.json).", false}
          .boolean(),
  };
  spec.settings.insert(spec.settings.end(), more.begin(), more.end());
  return spec;
}

ComponentSpec sql_pusher_spec() {
  ComponentSpec spec;
  spec.name = kSqlPusherModule;
  spec.summary = "Writes each passenger as row(s) of a table: insert, or upsert on a key.";
  spec.settings = sql::connection_settings();
  const std::vector<SettingSpec> more = {
      SettingSpec{"table", "The target table, e.g. \"staging.orders\".", nullptr, true}.string(),
      SettingSpec{"columns",
                  "Column name -> JSON pointer into the row (\"/customer/name\"), or "
                  "$internal_id, $external_id, $source_system, $attachment_name.",
                  nullptr, true}
          .string_map(),
      SettingSpec{"key",
                  "Columns of a unique key: a row whose key exists is updated (the database's "
                  "own upsert); empty: plain inserts.",
                  nlohmann::json::array()}
          .string_list(),
      SettingSpec{"attachment",
                  "The JSON attachment to read; empty: the first attachment whose name ends "
                  "in .json.",
                  ""}
          .string(),
      SettingSpec{"rows_pointer",
                  "JSON pointer to an array in the attachment: one row per element; empty: "
                  "an array attachment gives one row per element, an object one row.",
                  ""}
          .string(),
  };
  spec.settings.insert(spec.settings.end(), more.begin(), more.end());
  return spec;
}

void register_sql_components(Registry& registry) {
  registry.add_puller(sql_puller_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Puller> {
    return std::make_unique<SqlPuller>(env);
  });
  registry.add_pusher(sql_pusher_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
    return std::make_unique<SqlPusher>(env);
  });
}

}  // namespace databus
