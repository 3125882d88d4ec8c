// The PostgreSQL engine, part 3: the client passenger state documents
// (database.h), rows of `passenger_state` (schema 7, pg_schema.cc). The
// documents are stored escaped (pg_text.h), as configuration texts are.
#include "storage/postgresql/pg_database_impl.h"
#include "storage/postgresql/pg_text.h"
#include "storage/storage_names.h"

namespace databus {

std::optional<std::string> PgDatabase::read_passenger_state(const std::string& client_id,
                                                            const std::string& passenger_module,
                                                            const std::string& name) {
  check_client_id(client_id);
  check_passenger_state_key(passenger_module, name);
  const PgResult r = pool_.acquire()->run(
      "SELECT text FROM passenger_state WHERE client_id = $1 AND passenger_module = $2 AND "
      "name = $3",
      {{client_id}, {passenger_module}, {name}});
  if (r.rows() == 0) return std::nullopt;
  return pg_unescape_text(r.text(0, 0));
}

void PgDatabase::write_passenger_state_fenced(const std::string& client_id,
                                              const std::string& passenger_module,
                                              const std::string& name,
                                              const std::optional<std::string>& text,
                                              const Lease* fence, bool synced) {
  check_client_id(client_id);
  check_passenger_state_key(passenger_module, name);
  PgTransaction tx(pool_);
  // Only this transaction's commit returns before its WAL is flushed; the
  // server still writes it in order, so a later synced commit covers it.
  if (!synced) tx.run("SET LOCAL synchronous_commit TO OFF");
  if (fence != nullptr) check_fence(tx, *fence);
  if (text) {
    tx.run(
        "INSERT INTO passenger_state (client_id, passenger_module, name, text) VALUES ($1, $2, "
        "$3, $4) ON CONFLICT (client_id, passenger_module, name) DO UPDATE SET text = "
        "EXCLUDED.text",
        {{client_id}, {passenger_module}, {name}, {pg_escape_text(*text)}});
  } else {
    tx.run(
        "DELETE FROM passenger_state WHERE client_id = $1 AND passenger_module = $2 AND name = $3",
        {{client_id}, {passenger_module}, {name}});
  }
  tx.commit();
}

std::map<std::string, std::string> PgDatabase::list_passenger_state(
    const std::string& client_id, const std::string& passenger_module) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  const PgResult r = pool_.acquire()->run(
      "SELECT name, text FROM passenger_state WHERE client_id = $1 AND passenger_module = $2",
      {{client_id}, {passenger_module}});
  std::map<std::string, std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace(r.text(i, 0), pg_unescape_text(r.text(i, 1)));
  return out;
}

}  // namespace databus
