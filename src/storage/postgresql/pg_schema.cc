#include "storage/postgresql/pg_schema.h"

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "databus/error.h"
#include "databus/queue_entry.h"
#include "storage/postgresql/pg_text.h"
#include "storage/sql/sql_codec.h"

namespace databus {
namespace {

// migrations[i] brings the schema from version i to i + 1. Append, never edit.
//
// The same columns as the SQLite engine (sqlite_schema.cc says why): times
// in integer microseconds, 0/1 flags derived from `steps`, attachment content
// as bytea whatever its format, a dedup index that is not UNIQUE. Ids compare
// bytewise (COLLATE "C"), as in every other engine, whatever the database's
// locale: queries order by internal_id.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> all = {
      R"sql(
CREATE TABLE clients (
  client_id text COLLATE "C" PRIMARY KEY,
  config_text text NOT NULL);
CREATE TABLE backups (
  client_id text COLLATE "C" NOT NULL,
  backup_id text COLLATE "C" NOT NULL,
  node text NOT NULL,
  created bigint NOT NULL,
  content text NOT NULL,
  PRIMARY KEY (client_id, backup_id));
CREATE TABLE entries (
  client_id text COLLATE "C" NOT NULL,
  internal_id text COLLATE "C" NOT NULL,
  external_id text COLLATE "C" NOT NULL,
  source_system text COLLATE "C" NOT NULL,
  passenger_module text COLLATE "C" NOT NULL,
  puller_module text COLLATE "C" NOT NULL,
  pull_time bigint NOT NULL,
  notified smallint NOT NULL,
  processors_complete smallint NOT NULL,
  pushers_complete smallint NOT NULL,
  complete smallint NOT NULL,
  steps text NOT NULL,
  log_guids text NOT NULL,
  PRIMARY KEY (client_id, internal_id));
CREATE INDEX entries_queue ON entries (client_id, passenger_module, complete, pull_time);
CREATE INDEX entries_dedup ON entries (client_id, passenger_module, source_system, external_id);
CREATE INDEX entries_pulled ON entries (client_id, pull_time);
CREATE TABLE attachments (
  client_id text COLLATE "C" NOT NULL,
  internal_id text COLLATE "C" NOT NULL,
  position integer NOT NULL,
  name text NOT NULL,
  format text NOT NULL,
  content bytea NOT NULL,
  PRIMARY KEY (client_id, internal_id, position));
CREATE TABLE logs (
  client_id text COLLATE "C" NOT NULL,
  guid text COLLATE "C" NOT NULL,
  created bigint NOT NULL,
  worst_type text NOT NULL,
  entries text NOT NULL,
  PRIMARY KEY (client_id, guid));
CREATE INDEX logs_created ON logs (client_id, created);
)sql",
      // Version 2: `steps` and `log_guids` in the compact forms of
      // sql_codec.h (version 1 rows are read as they are and rewritten at
      // their next write). Entry pages keep room for the new version of a
      // row, so that a status write that leaves every indexed column alone
      // (notified, a processor done) stays on its page without touching an
      // index (a HOT update). A log's entries (a few MB for a drive of many
      // passengers) are stored out of line uncompressed: compressing them
      // with pglz cost the server more than the drive's status writes.
      R"sql(
ALTER TABLE entries SET (fillfactor = 70);
ALTER TABLE logs ALTER COLUMN entries SET STORAGE EXTERNAL;
)sql",
      // Version 3: an attachment keeps its `full_name`, the whole name of
      // one whose name was shortened to fit a file name (attachment.h); ''
      // for every other, and for the rows written before it (they read with
      // no full name). A constant default adds the column without rewriting
      // the table.
      R"sql(
ALTER TABLE attachments ADD COLUMN full_name text NOT NULL DEFAULT '';
)sql",
      // Version 4: the cluster (coordination.h, docs/cluster.md). Times are
      // the database's clock (timestamptz), never a node's. `leases` holds a
      // row per configured client passenger: its schedule (interval, next
      // due, expedited) and its lease (holder, token, expires); the token only
      // grows. Rows are written rarely (a claim, a renewal every third of a
      // lease, a release), so the default fillfactor serves.
      R"sql(
CREATE TABLE cluster_nodes (
  node_id text COLLATE "C" PRIMARY KEY,
  host text NOT NULL,
  pid bigint NOT NULL,
  version text NOT NULL,
  started timestamptz NOT NULL,
  heartbeat timestamptz NOT NULL,
  drives_running integer NOT NULL DEFAULT 0,
  reported_paused boolean NOT NULL DEFAULT false,
  paused boolean NOT NULL DEFAULT false,
  shutdown boolean NOT NULL DEFAULT false);
CREATE TABLE cluster_state (
  id smallint PRIMARY KEY CHECK (id = 1),
  paused boolean NOT NULL);
INSERT INTO cluster_state (id, paused) VALUES (1, false);
CREATE TABLE leases (
  client_id text COLLATE "C" NOT NULL,
  passenger text COLLATE "C" NOT NULL,
  interval_us bigint NOT NULL,
  next_due timestamptz NOT NULL,
  expedited boolean NOT NULL DEFAULT false,
  holder text COLLATE "C",
  token bigint NOT NULL DEFAULT 0,
  expires timestamptz,
  last_start timestamptz,
  last_end timestamptz,
  PRIMARY KEY (client_id, passenger));
CREATE INDEX leases_due ON leases (next_due);
)sql",
      // Version 5: browser sessions, shared by every node on the schema
      // (pg_sessions.h). Only a digest of a session id is stored. No index
      // on last_seen: it is written about once a minute per session, which
      // an index would turn into index writes, and the sweep that would use
      // it runs once a minute on a small table.
      R"sql(
CREATE TABLE web_sessions (
  session_key text COLLATE "C" PRIMARY KEY,
  csrf_token text NOT NULL,
  client_id text COLLATE "C" NOT NULL,
  username text COLLATE "C" NOT NULL,
  token_digest text NOT NULL,
  created bigint NOT NULL,
  last_seen bigint NOT NULL,
  flash text NOT NULL);
CREATE INDEX web_sessions_user ON web_sessions (client_id, username);
CREATE TABLE web_secrets (
  name text COLLATE "C" PRIMARY KEY,
  secret text NOT NULL);
)sql",
      // Version 6: a client's configuration carries its version
      // (config_version.h), which every node compares in the update that
      // saves it (the edit conflict check); rows written before are
      // "unversioned" until their next save.
      R"sql(
ALTER TABLE clients ADD COLUMN config_version text NOT NULL DEFAULT 'unversioned';
ALTER TABLE clients ADD COLUMN config_saved_by text NOT NULL DEFAULT '';
)sql",
      // Version 7, the retry states (queue_entry.h, docs/storage-engines.md):
      // `failing` and `quarantined` join the status flags, and `due_at`,
      // when an open entry has work that may run by itself
      // (QueueEntry::due_at(), NULL: none), with a partial index of the open
      // entries that the drive's due queries read (sql_query.h), so that
      // entries waiting for a retry or quarantined cost a drive nothing. A
      // status write that leaves due_at alone (every step of a passenger
      // that succeeds) stays a HOT update. The drive's query of the entries
      // whose puller was not notified reads a partial index of those (a few)
      // instead of every open entry (which, with entries waiting, were many:
      // 23 ms at 100,000); it costs the notifying status write its HOT
      // update, once per passenger. The values of the rows already
      // stored come from their `steps`, decoded in C++ after this script
      // (fill_retry_columns). `passenger_state` keeps the client passenger
      // state documents (database.h).
      R"sql(
ALTER TABLE entries ADD COLUMN due_at bigint,
  ADD COLUMN failing smallint NOT NULL DEFAULT 0,
  ADD COLUMN quarantined smallint NOT NULL DEFAULT 0;
CREATE INDEX entries_due ON entries (client_id, passenger_module, due_at) WHERE complete = 0;
CREATE INDEX entries_unnotified ON entries (client_id, passenger_module)
  WHERE complete = 0 AND notified = 0;
CREATE TABLE passenger_state (
  client_id text COLLATE "C" NOT NULL,
  passenger_module text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  text text NOT NULL,
  PRIMARY KEY (client_id, passenger_module, name));
)sql",
      // Version 8, the flow history (database.h "Flow history"): counts per
      // client passenger and minute (seconds since the epoch), added to by
      // every drive of any node, for the dashboard's charts.
      R"sql(
CREATE TABLE flow_minutes (
  client_id text COLLATE "C" NOT NULL,
  passenger_module text COLLATE "C" NOT NULL,
  minute bigint NOT NULL,
  pulled bigint NOT NULL,
  pushed bigint NOT NULL,
  failed bigint NOT NULL,
  drives bigint NOT NULL,
  drive_ms bigint NOT NULL,
  PRIMARY KEY (client_id, passenger_module, minute));
)sql",
      // Version 9, large attachments (docs/storage-engines.md): a spooled
      // attachment's row keeps "<size> <sha256>" in `spooled` and no
      // content; its bytes are rows of attachment_chunks (1 MiB each, `seq`
      // from 0), written in the entry's transaction, so every node reads them.
      R"sql(
ALTER TABLE attachments ADD COLUMN spooled text NOT NULL DEFAULT '';
CREATE TABLE attachment_chunks (
  client_id text COLLATE "C" NOT NULL,
  internal_id text COLLATE "C" NOT NULL,
  position integer NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (client_id, internal_id, position, seq));
)sql",
  };
  return all;
}

// After the script of version 7: the retry columns of the open entries,
// from their steps (sql::EntryFlags); complete entries keep NULL/0/0. An
// entry whose steps cannot be decoded is left due at once, so that the
// drive reads it and reports it as before.
void fill_retry_columns(PgTransaction& tx) {
  // Nearly every open entry is due at once and neither failing nor
  // quarantined: set that for all, then the others in one statement.
  tx.run("UPDATE entries SET due_at = 0 WHERE complete = 0");
  const PgResult open =
      tx.run("SELECT client_id, internal_id, steps FROM entries WHERE complete = 0");
  std::vector<std::string> clients, ids;
  std::string due = "{", failing = "{", quarantined = "{";
  for (int row = 0; row < open.rows(); ++row) {
    QueueEntry e;
    try {
      sql::decode_steps(open.text(row, 2), e);
    } catch (const std::invalid_argument&) {
      continue;  // Due at once; reported when read.
    }
    const sql::EntryFlags f = sql::EntryFlags::of(e);
    if (f.due_at == std::int64_t{0} && !f.failing && !f.quarantined) continue;
    const char* comma = ids.empty() ? "" : ",";
    clients.push_back(open.text(row, 0));
    ids.push_back(open.text(row, 1));
    due += comma + (f.due_at ? std::to_string(*f.due_at) : std::string("NULL"));
    failing += comma + std::string(f.failing ? "1" : "0");
    quarantined += comma + std::string(f.quarantined ? "1" : "0");
  }
  if (ids.empty()) return;
  const auto array = [](const std::vector<std::string>& values) {
    return PgParam{pg_text_array(std::vector<std::string_view>(values.begin(), values.end()))};
  };
  tx.run(
      "UPDATE entries AS e SET due_at = v.due, failing = v.failing, quarantined = v.quarantined "
      "FROM unnest($1::text[], $2::text[], $3::bigint[], $4::smallint[], $5::smallint[]) AS "
      "v(client_id, internal_id, due, failing, quarantined) WHERE e.client_id = v.client_id AND "
      "e.internal_id = v.internal_id",
      {array(clients), array(ids), PgParam{due + "}"}, PgParam{failing + "}"},
       PgParam{quarantined + "}"}});
}

// Work a migration needs besides its script, by the version it brings the
// schema to.
void after_migration(PgTransaction& tx, std::size_t version) {
  if (version == 7) fill_retry_columns(tx);
}

}  // namespace

void migrate_pg_schema(PgPool& pool, int target) {
  const auto& all = migrations();
  if (all.size() != static_cast<std::size_t>(kPgSchemaVersion)) {
    throw StorageError("postgresql: schema version and migrations disagree");
  }
  PgTransaction tx(pool);
  const std::string& schema = pool.settings().schema;
  tx.run("SELECT pg_advisory_xact_lock(hashtext($1))", {{"databus schema " + schema}});
  // search_path already names the schema; quote it the same way here.
  const PgResult quoted = tx.run("SELECT quote_ident($1)", {{schema}});
  tx.run("CREATE SCHEMA IF NOT EXISTS " + quoted.text(0, 0));
  tx.run("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
  const PgResult current = tx.run("SELECT coalesce(max(version), 0) FROM schema_version");
  const std::int64_t version = current.integer(0, 0);
  if (version > static_cast<std::int64_t>(all.size())) {
    throw StorageError("postgresql " + tx.connection().where() + ": schema " + schema +
                       " has version " + std::to_string(version) +
                       ", newer than this Databus knows (" + std::to_string(all.size()) + ")");
  }
  if (version >= target) return;  // Rolled back: nothing done.
  for (auto v = static_cast<std::size_t>(version); v < static_cast<std::size_t>(target); ++v) {
    tx.run_script(all[v]);
    after_migration(tx, v + 1);
  }
  tx.run("DELETE FROM schema_version");
  tx.run("INSERT INTO schema_version (version) VALUES ($1)", {{std::to_string(target)}});
  tx.commit();
}

}  // namespace databus
