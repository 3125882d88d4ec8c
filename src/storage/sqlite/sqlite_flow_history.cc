// The SQLite engine, part 4: the flow history (database.h "Flow history"),
// rows of `flow_minutes` (schema 7, sqlite_schema.cc).
#include "storage/sqlite/sqlite_database_impl.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

std::int64_t epoch_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(flow_minute_of(t).time_since_epoch())
      .count();
}

}  // namespace

void SqliteDatabase::add_flow_counts(const std::string& client_id,
                                     const std::string& passenger_module, TimePoint minute,
                                     const FlowCounts& c) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(),
              "INSERT INTO flow_minutes (client_id, passenger_module, minute, pulled, pushed, "
              "failed, drives, drive_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id, "
              "passenger_module, minute) DO UPDATE SET pulled = pulled + excluded.pulled, pushed "
              "= pushed + excluded.pushed, failed = failed + excluded.failed, drives = drives + "
              "excluded.drives, drive_ms = drive_ms + excluded.drive_ms")
      .bind(1, client_id)
      .bind(2, passenger_module)
      .bind(3, epoch_seconds(minute))
      .bind(4, c.pulled)
      .bind(5, c.pushed)
      .bind(6, c.failed)
      .bind(7, c.drives)
      .bind(8, c.drive_ms)
      .run();
  write.commit();
}

FlowHistory SqliteDatabase::read_flow_counts(const std::string& client_id,
                                             const std::string& passenger_module, TimePoint since) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT minute, pulled, pushed, failed, drives, drive_ms FROM flow_minutes WHERE "
                "client_id = ? AND passenger_module = ? AND minute >= ?");
  q.bind(1, client_id).bind(2, passenger_module).bind(3, epoch_seconds(since));
  FlowHistory out;
  while (q.step()) {
    out[TimePoint{std::chrono::seconds(q.integer(0))}] =
        FlowCounts{q.integer(1), q.integer(2), q.integer(3), q.integer(4), q.integer(5)};
  }
  return out;
}

std::size_t SqliteDatabase::delete_flow_counts_before(const std::string& client_id,
                                                      const std::string& passenger_module,
                                                      TimePoint before) {
  check_client_id(client_id);
  check_file_name_id("passenger", passenger_module);
  SqliteWrite write(pool_);
  SqliteQuery(write.connection(),
              "DELETE FROM flow_minutes WHERE client_id = ? AND passenger_module = ? AND "
              "minute < ?")
      .bind(1, client_id)
      .bind(2, passenger_module)
      .bind(3, epoch_seconds(before))
      .run();
  const auto deleted = static_cast<std::size_t>(write.connection().changes());
  write.commit();
  return deleted;
}

}  // namespace databus
