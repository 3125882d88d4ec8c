// The SQLite engine, part 3: the client passenger state documents
// (database.h), rows of `passenger_state` (schema 6, sqlite_schema.cc).
#include "storage/sqlite/sqlite_database_impl.h"
#include "storage/storage_names.h"

namespace databus {

std::optional<std::string> SqliteDatabase::read_passenger_state(const std::string& client_id,
                                                                const std::string& passenger_module,
                                                                const std::string& name) {
  check_client_id(client_id);
  check_passenger_state_key(passenger_module, name);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT text FROM passenger_state WHERE client_id = ? AND passenger_module = ? "
                "AND name = ?");
  q.bind(1, client_id).bind(2, passenger_module).bind(3, name);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

void SqliteDatabase::write_passenger_state(const std::string& client_id,
                                           const std::string& passenger_module,
                                           const std::string& name,
                                           const std::optional<std::string>& text) {
  write_state(client_id, passenger_module, name, text, true);
}

void SqliteDatabase::write_passenger_state_unsynced(const std::string& client_id,
                                                    const std::string& passenger_module,
                                                    const std::string& name,
                                                    const std::optional<std::string>& text) {
  write_state(client_id, passenger_module, name, text, false);
}

void SqliteDatabase::write_state(const std::string& client_id, const std::string& passenger_module,
                                 const std::string& name, const std::optional<std::string>& text,
                                 bool synced) {
  check_client_id(client_id);
  check_passenger_state_key(passenger_module, name);
  SqliteWrite write(pool_);
  if (text) {
    SqliteQuery(write.connection(),
                "INSERT OR REPLACE INTO passenger_state (client_id, passenger_module, name, text) "
                "VALUES (?, ?, ?, ?)")
        .bind(1, client_id)
        .bind(2, passenger_module)
        .bind(3, name)
        .bind(4, *text)
        .run();
  } else {
    SqliteQuery(write.connection(),
                "DELETE FROM passenger_state WHERE client_id = ? AND passenger_module = ? AND "
                "name = ?")
        .bind(1, client_id)
        .bind(2, passenger_module)
        .bind(3, name)
        .run();
  }
  if (synced) {
    write.commit();
  } else {
    write.commit_unsynced();
  }
}

std::map<std::string, std::string> SqliteDatabase::list_passenger_state(
    const std::string& client_id, const std::string& passenger_module) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT name, text FROM passenger_state WHERE client_id = ? AND passenger_module "
                "= ?");
  q.bind(1, client_id).bind(2, passenger_module);
  std::map<std::string, std::string> out;
  while (q.step()) out.emplace(q.text(0), q.text(1));
  return out;
}

}  // namespace databus
