#include "storage/sqlite/sqlite_schema.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "databus/error.h"
#include "databus/queue_entry.h"
#include "storage/sql/sql_codec.h"

namespace databus {
namespace {

// migrations[i] brings the schema from version i to i + 1. Append, never edit.
//
// Every client's rows carry client_id. Times are integer microseconds since
// the epoch (sql_codec.h); flag columns are 0/1 and derived from `steps`, so
// that queries never parse JSON. Attachment content is a BLOB whatever its
// format, so that text is kept byte for byte too. The dedup key index is not
// UNIQUE: the primal queue deduplicates before inserting, and data exported
// from a JSON DB edited by hand may repeat a key, which must not stop the copy.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> all = {
      R"sql(
CREATE TABLE clients (
  client_id TEXT PRIMARY KEY,
  config_text TEXT NOT NULL);
CREATE TABLE backups (
  client_id TEXT NOT NULL,
  backup_id TEXT NOT NULL,
  node TEXT NOT NULL,
  created INTEGER NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (client_id, backup_id));
CREATE TABLE entries (
  client_id TEXT NOT NULL,
  internal_id TEXT NOT NULL,
  external_id TEXT NOT NULL,
  source_system TEXT NOT NULL,
  passenger_module TEXT NOT NULL,
  puller_module TEXT NOT NULL,
  pull_time INTEGER NOT NULL,
  notified INTEGER NOT NULL,
  processors_complete INTEGER NOT NULL,
  pushers_complete INTEGER NOT NULL,
  complete INTEGER NOT NULL,
  steps TEXT NOT NULL,
  log_guids TEXT NOT NULL,
  PRIMARY KEY (client_id, internal_id));
CREATE INDEX entries_queue ON entries (client_id, passenger_module, complete, pull_time);
CREATE INDEX entries_dedup ON entries (client_id, passenger_module, source_system, external_id);
CREATE INDEX entries_pulled ON entries (client_id, pull_time);
CREATE TABLE attachments (
  client_id TEXT NOT NULL,
  internal_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (client_id, internal_id, position));
CREATE TABLE logs (
  client_id TEXT NOT NULL,
  guid TEXT NOT NULL,
  created INTEGER NOT NULL,
  worst_type TEXT NOT NULL,
  entries TEXT NOT NULL,
  PRIMARY KEY (client_id, guid));
CREATE INDEX logs_created ON logs (client_id, created);
)sql",
      // Version 2: `steps` and `log_guids` are written in the compact forms
      // of sql_codec.h (cheaper than JSON at every status change). Rows of
      // version 1 are read as they are and rewritten at their next write;
      // the version keeps an older Databus, which reads JSON only, away.
      R"sql(
-- No table changes.
)sql",
      // Version 3, for the cost of a drive (docs/performance.md, "SQLite:
      // schema 3"): an entry's row gets an integer key (`entry`), which its
      // statuses and attachments share, so that they are found by that key
      // rather than by a (client, internal id) text key; the status columns a
      // drive rewrites three times per passenger move to a narrow table of
      // their own, `entry_statuses`, `complete` with them; the incomplete
      // entries are listed in `entry_open` (a row while incomplete), which
      // serves the drive's queries in their order: completing an entry
      // deletes its row there instead of rewriting its `entries` row and an
      // index. Rows are copied in their old order.
      R"sql(
CREATE TABLE entries_v3 (
  entry INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL,
  internal_id TEXT NOT NULL,
  external_id TEXT NOT NULL,
  source_system TEXT NOT NULL,
  passenger_module TEXT NOT NULL,
  puller_module TEXT NOT NULL,
  pull_time INTEGER NOT NULL);
CREATE TABLE entry_statuses (
  entry INTEGER PRIMARY KEY,
  notified INTEGER NOT NULL,
  processors_complete INTEGER NOT NULL,
  pushers_complete INTEGER NOT NULL,
  complete INTEGER NOT NULL,
  steps TEXT NOT NULL,
  log_guids TEXT NOT NULL);
CREATE TABLE entry_open (
  client_id TEXT NOT NULL,
  passenger_module TEXT NOT NULL,
  pull_time INTEGER NOT NULL,
  internal_id TEXT NOT NULL,
  entry INTEGER NOT NULL,
  PRIMARY KEY (client_id, passenger_module, pull_time, internal_id)) WITHOUT ROWID;
CREATE TABLE entry_attachments (
  entry INTEGER NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (entry, position));
INSERT INTO entries_v3 (client_id, internal_id, external_id, source_system, passenger_module,
                        puller_module, pull_time)
  SELECT client_id, internal_id, external_id, source_system, passenger_module, puller_module,
         pull_time
  FROM entries ORDER BY rowid;
INSERT INTO entry_statuses (entry, notified, processors_complete, pushers_complete, complete,
                            steps, log_guids)
  SELECT n.entry, o.notified, o.processors_complete, o.pushers_complete, o.complete, o.steps,
         o.log_guids
  FROM entries_v3 n JOIN entries o ON o.client_id = n.client_id AND o.internal_id = n.internal_id;
INSERT OR IGNORE INTO entry_open (client_id, passenger_module, pull_time, internal_id, entry)
  SELECT n.client_id, n.passenger_module, n.pull_time, n.internal_id, n.entry
  FROM entries_v3 n JOIN entries o ON o.client_id = n.client_id AND o.internal_id = n.internal_id
  WHERE o.complete = 0;
INSERT INTO entry_attachments (entry, position, name, format, content)
  SELECT n.entry, a.position, a.name, a.format, a.content
  FROM attachments a JOIN entries_v3 n ON n.client_id = a.client_id AND n.internal_id = a.internal_id;
DROP TABLE attachments;
DROP TABLE entries;
ALTER TABLE entries_v3 RENAME TO entries;
CREATE UNIQUE INDEX entries_id ON entries (client_id, internal_id);
CREATE INDEX entries_dedup ON entries (client_id, passenger_module, source_system, external_id);
CREATE INDEX entries_pulled ON entries (client_id, pull_time);
)sql",
      // Version 4: an attachment keeps its `full_name`, the whole name of
      // one whose name was shortened to fit a file name (attachment.h); ''
      // for every other, and for the rows written before it (they read with
      // no full name, as a passenger.json without the key does).
      R"sql(
ALTER TABLE entry_attachments ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
)sql",
      // Version 5: a client's configuration carries its version
      // (config_version.h), for the edit conflict check of customizing
      // saves; rows written before are "unversioned" until their next save.
      R"sql(
ALTER TABLE clients ADD COLUMN config_version TEXT NOT NULL DEFAULT 'unversioned';
ALTER TABLE clients ADD COLUMN config_saved_by TEXT NOT NULL DEFAULT '';
)sql",
      // Version 6, the retry states (queue_entry.h, docs/storage-engines.md):
      // `failing` and `quarantined` join the status flags in entry_statuses;
      // `due_at`, when an open entry has work that may run by itself
      // (QueueEntry::due_at(), NULL: none), lives in entry_open, with the
      // index the drive's due queries read (sql_query.h), so that entries
      // waiting for a retry or quarantined cost a drive nothing. The values
      // of the rows already stored come from their `steps`, decoded in C++
      // after this script (fill_retry_columns). The drive's query of the
      // entries whose puller was not notified reads the few such entries
      // from a partial index, not every open entry (which, with the open
      // entries waiting, were many). `passenger_state` keeps the client
      // passenger state documents (database.h).
      R"sql(
ALTER TABLE entry_statuses ADD COLUMN failing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry_statuses ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entry_open ADD COLUMN due_at INTEGER;
CREATE INDEX entry_open_due ON entry_open (client_id, passenger_module, due_at);
CREATE INDEX entry_statuses_unnotified ON entry_statuses (entry) WHERE complete = 0 AND
  notified = 0;
CREATE TABLE passenger_state (
  client_id TEXT NOT NULL,
  passenger_module TEXT NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (client_id, passenger_module, name)) WITHOUT ROWID;
)sql",
      // Version 7, the flow history (database.h "Flow history"): counts per
      // client passenger and minute (seconds since the epoch), added to by
      // every drive, for the dashboard's charts.
      R"sql(
CREATE TABLE flow_minutes (
  client_id TEXT NOT NULL,
  passenger_module TEXT NOT NULL,
  minute INTEGER NOT NULL,
  pulled INTEGER NOT NULL,
  pushed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  drives INTEGER NOT NULL,
  drive_ms INTEGER NOT NULL,
  PRIMARY KEY (client_id, passenger_module, minute)) WITHOUT ROWID;
)sql",
      // Version 8, large attachments (docs/storage-engines.md): a spooled
      // attachment's row keeps "<size> <sha256>" here and no content; its
      // bytes are a file of the blob folder beside the database file.
      R"sql(
ALTER TABLE entry_attachments ADD COLUMN spooled TEXT NOT NULL DEFAULT '';
)sql",
  };
  return all;
}

// After the script of version 6: the retry columns of the open entries,
// from their steps (sql::EntryFlags). Complete entries keep 0/0 and have
// no entry_open row. An entry whose steps cannot be decoded is left due at
// once, so that the drive reads it and reports it as before.
void fill_retry_columns(SqliteConnection& c) {
  // Nearly every open entry is due at once and neither failing nor
  // quarantined: set that for all, then remember the others (read first,
  // written after, so that the scan never meets a row it changed).
  c.exec("UPDATE entry_open SET due_at = 0");
  struct Differs {
    std::int64_t entry = 0;
    sql::EntryFlags flags;
  };
  std::vector<Differs> differ;
  {
    SqliteQuery open(c, "SELECT entry, steps FROM entry_open JOIN entry_statuses USING (entry)");
    while (open.step()) {
      QueueEntry e;
      try {
        sql::decode_steps(open.text(1), e);
      } catch (const std::invalid_argument&) {
        continue;  // Due at once; reported when read.
      }
      const sql::EntryFlags f = sql::EntryFlags::of(e);
      if (f.due_at != std::int64_t{0} || f.failing || f.quarantined) {
        differ.push_back({open.integer(0), f});
      }
    }
  }
  SqliteQuery flags(c, "UPDATE entry_statuses SET failing = ?, quarantined = ? WHERE entry = ?");
  SqliteQuery due(c,
                  "UPDATE entry_open SET due_at = ? WHERE (client_id, passenger_module, "
                  "pull_time, internal_id) = (SELECT client_id, passenger_module, pull_time, "
                  "internal_id FROM entries WHERE entry = ?)");
  for (const Differs& d : differ) {
    flags.bind(1, std::int64_t{d.flags.failing})
        .bind(2, std::int64_t{d.flags.quarantined})
        .bind(3, d.entry)
        .run();
    flags.rewind();
    due.bind(1, d.flags.due_at).bind(2, d.entry).run();
    due.rewind();
  }
}

// Work a migration needs besides its script, by the version it brings the
// schema to.
void after_migration(SqliteConnection& c, std::size_t version) {
  if (version == 6) fill_retry_columns(c);
}

}  // namespace

void migrate_sqlite_schema(SqlitePool& pool, int target) {
  SqliteWrite write(pool);
  SqliteConnection& c = write.connection();
  c.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  std::int64_t version = 0;
  {
    SqliteQuery q(c, "SELECT max(version) FROM schema_version");
    if (q.step()) version = q.integer(0);
  }
  const auto& all = migrations();
  if (all.size() != static_cast<std::size_t>(kSqliteSchemaVersion))
    throw StorageError("sqlite: schema version and migrations disagree");
  if (version > static_cast<std::int64_t>(all.size())) {
    throw StorageError("sqlite " + c.path().string() + ": schema version " +
                       std::to_string(version) + " is newer than this Databus knows (" +
                       std::to_string(all.size()) + ")");
  }
  if (version >= target) return;  // Rolls back nothing.
  for (auto v = static_cast<std::size_t>(version); v < static_cast<std::size_t>(target); ++v) {
    c.exec(all[v]);
    after_migration(c, v + 1);
  }
  c.exec("DELETE FROM schema_version");
  SqliteQuery(c, "INSERT INTO schema_version (version) VALUES (?)")
      .bind(1, std::int64_t{target})
      .run();
  write.commit();
}

}  // namespace databus
