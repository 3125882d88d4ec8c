// The PostgreSQL engine, part 4: the flow history (database.h "Flow
// history"), rows of `flow_minutes` (schema 8, pg_schema.cc). Every node
// adds to the same rows, so every node's dashboard shows the same figures.
#include "storage/postgresql/pg_database_impl.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

PgParam seconds_of(TimePoint t) {
  return {std::to_string(
              std::chrono::duration_cast<std::chrono::seconds>(flow_minute_of(t).time_since_epoch())
                  .count()),
          false};
}

PgParam number(std::int64_t value) { return {std::to_string(value), false}; }

}  // namespace

void PgDatabase::add_flow_counts(const std::string& client_id, const std::string& passenger_module,
                                 TimePoint minute, const FlowCounts& c) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  pool_.acquire()->run(
      "INSERT INTO flow_minutes (client_id, passenger_module, minute, pulled, pushed, failed, "
      "drives, drive_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (client_id, "
      "passenger_module, minute) DO UPDATE SET pulled = flow_minutes.pulled + EXCLUDED.pulled, "
      "pushed = flow_minutes.pushed + EXCLUDED.pushed, failed = flow_minutes.failed + "
      "EXCLUDED.failed, drives = flow_minutes.drives + EXCLUDED.drives, drive_ms = "
      "flow_minutes.drive_ms + EXCLUDED.drive_ms",
      {{client_id},
       {passenger_module},
       seconds_of(minute),
       number(c.pulled),
       number(c.pushed),
       number(c.failed),
       number(c.drives),
       number(c.drive_ms)});
}

FlowHistory PgDatabase::read_flow_counts(const std::string& client_id,
                                         const std::string& passenger_module, TimePoint since) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  const PgResult r = pool_.acquire()->run(
      "SELECT minute, pulled, pushed, failed, drives, drive_ms FROM flow_minutes WHERE "
      "client_id = $1 AND passenger_module = $2 AND minute >= $3",
      {{client_id}, {passenger_module}, seconds_of(since)});
  FlowHistory out;
  for (int i = 0; i < r.rows(); ++i) {
    out[TimePoint{std::chrono::seconds(r.integer(i, 0))}] = FlowCounts{
        r.integer(i, 1), r.integer(i, 2), r.integer(i, 3), r.integer(i, 4), r.integer(i, 5)};
  }
  return out;
}

std::size_t PgDatabase::delete_flow_counts_before(const std::string& client_id,
                                                  const std::string& passenger_module,
                                                  TimePoint before) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  const PgResult r = pool_.acquire()->run(
      "DELETE FROM flow_minutes WHERE client_id = $1 AND passenger_module = $2 AND minute < $3",
      {{client_id}, {passenger_module}, seconds_of(before)});
  return static_cast<std::size_t>(r.affected());
}

}  // namespace databus
