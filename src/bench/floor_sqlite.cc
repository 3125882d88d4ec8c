// The SQLite engine's floor (floor.h): its tables as of schema 3 and later
// (sqlite_schema.cc), written with the engine's connection class, so the
// pragmas are the engine's (WAL, synchronous=FULL).
#include <chrono>

#include "bench/floor_engines.h"
#include "storage/sqlite/sqlite_connection.h"

namespace databus::bench {

double sqlite_floor(const FloorStore& store, std::span<QueueEntry> entries) {
  const FloorStatuses statuses_of = FloorStatuses::of(entries.front());
  const sql::EntryFlags& seated = statuses_of.seated;

  // The file the engine opens for a data directory (sqlite_database.cc).
  SqlitePool pool(store.data_dir / "databus.sqlite", 1);
  const auto start = std::chrono::steady_clock::now();
  {
    SqliteWrite write(pool);
    SqliteConnection& c = write.connection();
    SqliteQuery entry(c,
                      "INSERT INTO entries (client_id, internal_id, external_id, source_system, "
                      "passenger_module, puller_module, pull_time) VALUES (?, ?, ?, ?, ?, ?, ?)");
    SqliteQuery statuses(c,
                         "INSERT INTO entry_statuses (entry, notified, processors_complete, "
                         "pushers_complete, complete, steps, log_guids, failing, quarantined) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)");
    SqliteQuery open(c,
                     "INSERT INTO entry_open (client_id, passenger_module, pull_time, "
                     "internal_id, entry, due_at) VALUES (?, ?, ?, ?, ?, ?)");
    SqliteQuery attachment(c,
                           "INSERT INTO entry_attachments (entry, position, name, format, "
                           "content, full_name) VALUES (?, ?, ?, ?, ?, ?)");
    for (const QueueEntry& e : entries) {
      const Passenger& p = e.passenger;
      const std::int64_t pulled = sql::to_micros(p.pull_datetime);
      entry.bind_unowned(1, store.client_id)
          .bind_unowned(2, p.internal_id)
          .bind_unowned(3, p.external_id)
          .bind_unowned(4, p.source_system)
          .bind_unowned(5, p.passenger_module)
          .bind_unowned(6, p.puller_module)
          .bind(7, pulled)
          .run();
      entry.rewind();
      const std::int64_t key = c.last_insert_rowid();
      statuses.bind(1, key)
          .bind(2, std::int64_t{seated.notified})
          .bind(3, std::int64_t{seated.processors_complete})
          .bind(4, std::int64_t{seated.pushers_complete})
          .bind(5, std::int64_t{seated.complete})
          .bind_unowned(6, statuses_of.seated_steps)
          .bind_unowned(7, statuses_of.log_guids)
          .run();
      statuses.rewind();
      open.bind_unowned(1, store.client_id)
          .bind_unowned(2, p.passenger_module)
          .bind(3, pulled)
          .bind_unowned(4, p.internal_id)
          .bind(5, key)
          .bind(6, seated.due_at)
          .run();
      open.rewind();
      std::int64_t position = 0;
      for (const Attachment& a : p.attachments) {
        attachment.bind(1, key)
            .bind(2, position++)
            .bind_unowned(3, a.name)
            .bind(4, to_string(a.format))
            .bind_blob_unowned(5, a.content)
            .bind_unowned(6, a.full_name)
            .run();
        attachment.rewind();
      }
    }
    write.commit();
  }
  {
    SqliteWrite write(pool);
    SqliteConnection& c = write.connection();
    SqliteQuery(c,
                "UPDATE entry_statuses SET processors_complete = 1, pushers_complete = 1, "
                "complete = 1, steps = ?")
        .bind(1, statuses_of.complete_steps)
        .run();
    SqliteQuery(c, "DELETE FROM entry_open WHERE client_id = ?").bind(1, store.client_id).run();
    write.commit();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace databus::bench
