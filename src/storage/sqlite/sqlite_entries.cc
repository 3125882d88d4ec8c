// The SQLite engine, part 2: the queue, its writes (sqlite_entries_read.cc
// reads it).
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "storage/sql/sql_codec.h"
#include "storage/sql/sql_query.h"
#include "storage/sqlite/sqlite_database_impl.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

// Since schema 3 (sqlite_schema.cc), an entry is a row of `entries` (its fields),
// a row of `entry_statuses` (with `complete`), its rows of
// `entry_attachments`, all keyed by the integer `entry`, and while it is
// incomplete a row of `entry_open`, which carries its due time (schema 6),
// `entry_statuses` carrying the other retry flags.
constexpr const char* kInsertEntry =
    "INSERT INTO entries (client_id, internal_id, external_id, source_system, passenger_module, "
    "puller_module, pull_time) VALUES (?, ?, ?, ?, ?, ?, ?)";

constexpr const char* kInsertStatuses =
    "INSERT INTO entry_statuses (entry, notified, processors_complete, pushers_complete, "
    "complete, steps, log_guids, failing, quarantined) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

constexpr const char* kUpdateStatuses =
    "UPDATE entry_statuses SET notified = ?, processors_complete = ?, pushers_complete = ?, "
    "complete = ?, steps = ?, log_guids = ?, failing = ?, quarantined = ? WHERE entry = ?";

constexpr const char* kFindEntry =
    "SELECT e.entry, s.complete, o.due_at FROM entries e LEFT JOIN entry_statuses s USING "
    "(entry) LEFT JOIN entry_open o ON o.client_id = e.client_id AND o.passenger_module = "
    "e.passenger_module AND o.pull_time = e.pull_time AND o.internal_id = e.internal_id WHERE "
    "e.client_id = ? AND e.internal_id = ?";

// `complete` changes once in a passenger's life (and sometimes back), the
// due time only when a step fails or is retried: only then is `entry_open`
// written.
constexpr const char* kOpen =
    "INSERT OR REPLACE INTO entry_open (client_id, passenger_module, pull_time, internal_id, "
    "entry, due_at) VALUES (?, ?, ?, ?, ?, ?)";
// By the stored fields: an entry whose fields change leaves entry_open under
// its old key.
constexpr const char* kCloseStored =
    "DELETE FROM entry_open WHERE (client_id, passenger_module, pull_time, internal_id) IN "
    "(SELECT client_id, passenger_module, pull_time, internal_id FROM entries WHERE entry = ?)";

// An entry's row of entry_open from its stored fields, due at the first
// parameter.
constexpr const char* kReopenStored =
    "INSERT OR REPLACE INTO entry_open (client_id, passenger_module, pull_time, internal_id, "
    "entry, due_at) SELECT client_id, passenger_module, pull_time, internal_id, entry, ? FROM "
    "entries WHERE entry = ?";

// The due time of an open entry, by its key (as kCloseKey), then by its
// stored fields (as kCloseStored).
constexpr const char* kDueKey =
    "UPDATE entry_open SET due_at = ? WHERE client_id = ? AND passenger_module = ? AND "
    "pull_time = ? AND internal_id = ?";
constexpr const char* kDueStored =
    "UPDATE entry_open SET due_at = ? WHERE (client_id, passenger_module, pull_time, "
    "internal_id) IN (SELECT client_id, passenger_module, pull_time, internal_id FROM entries "
    "WHERE entry = ?)";

constexpr const char* kCloseKey =
    "DELETE FROM entry_open WHERE client_id = ? AND passenger_module = ? AND pull_time = ? AND "
    "internal_id = ?";

constexpr const char* kUpdateFields =
    "UPDATE entries SET external_id = ?, source_system = ?, passenger_module = ?, "
    "puller_module = ?, pull_time = ? WHERE entry = ?";

constexpr const char* kInsertAttachment =
    "INSERT INTO entry_attachments (entry, position, name, format, content, full_name, spooled) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";

// Binds the status columns, as the first eight parameters of
// kInsertStatuses (after `entry`) or kUpdateStatuses. `steps` and `log_guids` are bound
// without a copy: they must outlive the statement's run.
void bind_statuses(SqliteQuery& q, int first, const sql::EntryFlags& f, const std::string& steps,
                   const std::string& log_guids) {
  q.bind(first, std::int64_t{f.notified})
      .bind(first + 1, std::int64_t{f.processors_complete})
      .bind(first + 2, std::int64_t{f.pushers_complete})
      .bind(first + 3, std::int64_t{f.complete})
      .bind_unowned(first + 4, steps)
      .bind_unowned(first + 5, log_guids)
      .bind(first + 6, std::int64_t{f.failing})
      .bind(first + 7, std::int64_t{f.quarantined});
}

// Binds the key of `p` in entry_open, as the four parameters from `first`
// (kOpen, kCloseKey: 1; kDueKey: 2); the strings must outlive the
// statement's run.
void bind_open_key(SqliteQuery& q, const std::string& client_id, const Passenger& p,
                   int first = 1) {
  q.bind_unowned(first, client_id)
      .bind_unowned(first + 1, p.passenger_module)
      .bind(first + 2, sql::to_micros(p.pull_datetime))
      .bind_unowned(first + 3, p.internal_id);
}

void check_ids(std::span<const QueueEntry> entries) {
  for (const QueueEntry& e : entries) check_uuid("internal id", e.passenger.internal_id);
}

// Inserts the attachments of `p` as rows of `entry` with `q` (kInsertAttachment).
void insert_attachments(SqliteQuery& q, std::int64_t entry, const Passenger& p) {
  std::int64_t position = 0;
  for (const Attachment& a : p.attachments) {
    // A spooled attachment's bytes are in the blob folder (staged first).
    q.bind(1, entry)
        .bind(2, position++)
        .bind_unowned(3, a.name)
        .bind(4, to_string(a.format))
        .bind_blob_unowned(5, a.content)  // Not copied: lives until the rewind.
        .bind_unowned(6, a.full_name)
        .bind(7, encode_spooled(a));
    q.run();
    q.rewind();  // For the next row; the statement stays prepared.
  }
}

}  // namespace

void SqliteDatabase::insert_entries(const std::string& client_id,
                                    std::span<const QueueEntry> entries) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  SqliteWrite write(pool_);
  SqliteConnection& c = write.connection();
  // Prepared once per batch, rewound per row.
  SqliteQuery insert(c, kInsertEntry);
  SqliteQuery statuses(c, kInsertStatuses);
  SqliteQuery open(c, kOpen);
  SqliteQuery attachments(c, kInsertAttachment);
  forget_keys_if_stale(write);
  KnownEntries inserted;
  inserted.reserve(entries.size());
  for (const QueueEntry& e : entries) {
    const Passenger& p = e.passenger;
    const sql::EntryFlags f = sql::EntryFlags::of(e);
    const std::string steps = sql::encode_steps(e);
    const std::string log_guids = sql::encode_log_guids(p);
    try {
      // Not copied by SQLite: every string outlives the step.
      insert.bind_unowned(1, client_id)
          .bind_unowned(2, p.internal_id)
          .bind_unowned(3, p.external_id)
          .bind_unowned(4, p.source_system)
          .bind_unowned(5, p.passenger_module)
          .bind_unowned(6, p.puller_module)
          .bind(7, sql::to_micros(p.pull_datetime))
          .run();
      insert.rewind();
    } catch (const StorageError& error) {
      throw StorageError("client " + client_id + ": entry " + p.internal_id +
                         " cannot be inserted (stored already?): " + error.what());
    }
    const std::int64_t entry = c.last_insert_rowid();
    inserted.emplace_back(p.internal_id, StoredEntry{entry, f.complete, f.due_at});
    statuses.bind(1, entry);
    bind_statuses(statuses, 2, f, steps, log_guids);
    statuses.run();
    statuses.rewind();
    if (!f.complete) {
      bind_open_key(open, client_id, p);
      open.bind(5, entry).bind(6, f.due_at).run();
      open.rewind();
    }
    blobs_.stage(client_id, p);  // Durable before the rows naming the files.
    insert_attachments(attachments, entry, p);
  }
  write.commit();
  remember_keys(client_id, inserted);
}

void SqliteDatabase::forget_keys_if_stale(const SqliteWrite& write) {
  if (write.foreign_writes() == keys_foreign_writes_) return;
  keys_.clear();
  keys_foreign_writes_ = write.foreign_writes();
}

SqliteDatabase::ClientKeys* SqliteDatabase::known_keys(const std::string& client_id) {
  auto client = keys_.find(client_id);
  return client == keys_.end() ? nullptr : &client->second;
}

std::optional<SqliteDatabase::StoredEntry> SqliteDatabase::find_stored(
    SqliteConnection& c, ClientKeys* known, const std::string& client_id,
    const std::string& internal_id) {
  if (known != nullptr) {
    if (const StoredEntry* stored = known->find(internal_id)) return *stored;
  }
  SqliteQuery find(c, kFindEntry);
  find.bind_unowned(1, client_id).bind_unowned(2, internal_id);
  if (!find.step()) return std::nullopt;
  StoredEntry stored{find.integer(0), find.integer(1) != 0};
  if (!find.is_null(2)) stored.due_at = find.integer(2);
  return stored;
}

void SqliteDatabase::remember_keys(const std::string& client_id, KnownEntries& known) {
  if (known.empty()) return;
  ClientKeys& keys = keys_[client_id];
  if (keys.size() + known.size() > kCachedKeys) keys.clear();
  for (const auto& [id, stored] : known) keys.insert_or_assign(id, stored);
}

void SqliteDatabase::update_entries(const std::string& client_id,
                                    std::span<const QueueEntry> entries, SaveScope scope) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  SqliteWrite write(pool_);
  SqliteConnection& c = write.connection();
  // Prepared once per batch, rewound per row.
  SqliteQuery statuses(c, kUpdateStatuses);
  std::optional<SqliteQuery> close_stored;
  std::optional<SqliteQuery> close_key;
  std::optional<SqliteQuery> reopen;
  std::optional<SqliteQuery> due_key;
  std::optional<SqliteQuery> due_stored;
  std::optional<SqliteQuery> add_statuses;  // Only for a row that lost its statuses.
  std::optional<SqliteQuery> fields;
  std::optional<SqliteQuery> drop_attachments;
  std::optional<SqliteQuery> attachments;
  if (scope == SaveScope::everything) {
    fields.emplace(c, kUpdateFields);
    drop_attachments.emplace(c, "DELETE FROM entry_attachments WHERE entry = ?");
    attachments.emplace(c, kInsertAttachment);
  }
  forget_keys_if_stale(write);
  ClientKeys* known = known_keys(client_id);
  KnownEntries written;
  written.reserve(entries.size());
  std::unordered_map<std::string_view, StoredEntry> batch;
  for (const QueueEntry& e : entries) {
    const Passenger& p = e.passenger;
    // An entry written earlier in this batch is as written then (`known`
    // is only brought up to date after the commit).
    const auto earlier = batch.find(p.internal_id);
    const std::optional<StoredEntry> stored = earlier != batch.end()
                                                  ? std::optional(earlier->second)
                                                  : find_stored(c, known, client_id, p.internal_id);
    if (!stored) {
      throw NotFoundError("client " + client_id + ": queue entry " + p.internal_id +
                          " is not stored");  // Rolls the whole batch back.
    }
    const sql::EntryFlags f = sql::EntryFlags::of(e);
    const StoredEntry now{stored->entry, f.complete, f.complete ? std::nullopt : f.due_at};
    written.emplace_back(p.internal_id, now);
    batch.insert_or_assign(p.internal_id, now);
    const std::string steps = sql::encode_steps(e);
    const std::string log_guids = sql::encode_log_guids(p);
    bind_statuses(statuses, 1, f, steps, log_guids);
    statuses.bind(9, stored->entry).run();
    statuses.rewind();
    if (c.changes() == 0) {
      // Only a hand edit removes a status row; the write restores it.
      if (!add_statuses) add_statuses.emplace(c, kInsertStatuses);
      add_statuses->bind(1, stored->entry);
      bind_statuses(*add_statuses, 2, f, steps, log_guids);
      add_statuses->run();
      add_statuses->rewind();
    }
    if (scope == SaveScope::everything) {
      if (!close_stored) close_stored.emplace(c, kCloseStored);
      close_stored->bind(1, stored->entry).run();  // Its key may change.
      close_stored->rewind();
      fields->bind_unowned(1, p.external_id)
          .bind_unowned(2, p.source_system)
          .bind_unowned(3, p.passenger_module)
          .bind_unowned(4, p.puller_module)
          .bind(5, sql::to_micros(p.pull_datetime))
          .bind(6, stored->entry)
          .run();
      fields->rewind();
      drop_attachments->bind(1, stored->entry).run();
      drop_attachments->rewind();
      blobs_.stage(client_id, p);
      insert_attachments(*attachments, stored->entry, p);
    }
    if (!f.complete && (scope == SaveScope::everything || stored->complete)) {
      // Listed under the stored fields: those just written, or for a
      // statuses write, which reopened it, those the passenger in hand may
      // not carry.
      if (!reopen) reopen.emplace(c, kReopenStored);
      reopen->bind(1, f.due_at).bind(2, stored->entry).run();
      reopen->rewind();
    } else if (f.complete && !stored->complete && scope == SaveScope::statuses) {
      // By the passenger's key first: a statuses write usually comes with
      // the stored fields. The key holds the internal id, unique per client,
      // so a row found there is this entry's.
      if (!close_key) close_key.emplace(c, kCloseKey);
      bind_open_key(*close_key, client_id, p);
      close_key->run();
      close_key->rewind();
      if (c.changes() == 0) {
        if (!close_stored) close_stored.emplace(c, kCloseStored);
        close_stored->bind(1, stored->entry).run();
        close_stored->rewind();
      }
    } else if (!f.complete && f.due_at != stored->due_at) {
      // Still open (a statuses write), its due time changed: a step failed,
      // or was retried. By the passenger's key first, as above.
      if (!due_key) due_key.emplace(c, kDueKey);
      due_key->bind(1, f.due_at);
      bind_open_key(*due_key, client_id, p, 2);
      due_key->run();
      due_key->rewind();
      if (c.changes() == 0) {
        if (!due_stored) due_stored.emplace(c, kDueStored);
        due_stored->bind(1, f.due_at).bind(2, stored->entry).run();
        due_stored->rewind();
      }
    }
  }
  write.commit();
  remember_keys(client_id, written);
  if (scope == SaveScope::everything) {
    for (const QueueEntry& e : entries) blobs_.keep_only(client_id, e.passenger);
  }
}

std::size_t SqliteDatabase::delete_complete_entries(const std::string& client_id,
                                                    const std::string& passenger_module,
                                                    TimePoint before) {
  check_client_id(client_id);
  const std::int64_t bound = sql::ceil_micros(before);
  SqliteWrite write(pool_);
  SqliteConnection& c = write.connection();
  // The keys first (the pulled index finds the entries among the ones pulled
  // before the bound; left to itself SQLite would walk every entry of the
  // passenger type), then their rows in each table by key.
  c.run("CREATE TEMP TABLE IF NOT EXISTS purged (entry INTEGER PRIMARY KEY)");
  c.run("DELETE FROM temp.purged");
  SqliteQuery(c,
              "INSERT INTO temp.purged SELECT entry FROM entries INDEXED BY entries_pulled JOIN "
              "entry_statuses USING (entry) WHERE client_id = ? AND pull_time < ? AND "
              "passenger_module = ? AND complete = 1")
      .bind(1, client_id)
      .bind(2, bound)
      .bind(3, passenger_module)
      .run();
  const auto n = static_cast<std::size_t>(c.changes());
  std::vector<std::string> with_blobs;  // Their files go once the rows are gone.
  if (n > 0) {
    SqliteQuery spooled(c,
                        "SELECT DISTINCT e.internal_id FROM entries e JOIN entry_attachments a "
                        "USING (entry) WHERE e.entry IN (SELECT entry FROM temp.purged) AND "
                        "a.spooled <> ''");
    while (spooled.step()) with_blobs.push_back(spooled.text(0));
  }
  if (n > 0) {
    c.run(
        "DELETE FROM entry_open WHERE (client_id, passenger_module, pull_time, internal_id) IN "
        "(SELECT client_id, passenger_module, pull_time, internal_id FROM entries WHERE entry IN "
        "(SELECT entry FROM temp.purged))");
    for (const char* table : {"entry_attachments", "entry_statuses", "entries"}) {
      c.run(std::string("DELETE FROM ") + table +
            " WHERE entry IN (SELECT entry FROM temp.purged)");
    }
  }
  c.run("DELETE FROM temp.purged");
  write.commit();
  for (const std::string& id : with_blobs) blobs_.remove(client_id, id);
  // Their keys may be given to new entries now.
  if (n > 0) keys_.erase(client_id);
  return n;
}

}  // namespace databus
