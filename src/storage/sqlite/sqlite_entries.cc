// The SQLite engine, part 2: the queue.
#include <optional>
#include <set>

#include "databus/error.h"
#include "storage/sql/sql_codec.h"
#include "storage/sql/sql_query.h"
#include "storage/sqlite/sqlite_database_impl.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

constexpr const char* kInsertEntry =
    "INSERT INTO entries (client_id, internal_id, external_id, source_system, passenger_module, "
    "puller_module, pull_time, notified, processors_complete, pushers_complete, complete, steps, "
    "log_guids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

constexpr const char* kUpdateStatuses =
    "UPDATE entries SET notified = ?, processors_complete = ?, pushers_complete = ?, "
    "complete = ?, steps = ?, log_guids = ? WHERE client_id = ? AND internal_id = ?";

// The same without `complete`, for a row whose `complete` already has the
// new value (bound last and matched in the WHERE clause). SQLite rewrites an
// index only when its columns are SET, so this leaves the queue index (which
// holds `complete`) alone: the notify and process steps, two of a
// passenger's three status writes, then change the row and nothing else.
constexpr const char* kUpdateStatusesSameComplete =
    "UPDATE entries SET notified = ?, processors_complete = ?, pushers_complete = ?, "
    "steps = ?, log_guids = ? WHERE client_id = ? AND internal_id = ? AND complete = ?";

constexpr const char* kUpdateEverything =
    "UPDATE entries SET notified = ?, processors_complete = ?, pushers_complete = ?, "
    "complete = ?, steps = ?, log_guids = ?, external_id = ?, source_system = ?, "
    "passenger_module = ?, puller_module = ?, pull_time = ? "
    "WHERE client_id = ? AND internal_id = ?";

// Binds the status columns in the order of kUpdateStatuses and kUpdateEverything.
void bind_statuses(SqliteQuery& q, const QueueEntry& e) {
  const sql::EntryFlags f = sql::EntryFlags::of(e);
  q.bind(1, std::int64_t{f.notified})
      .bind(2, std::int64_t{f.processors_complete})
      .bind(3, std::int64_t{f.pushers_complete})
      .bind(4, std::int64_t{f.complete})
      .bind(5, sql::encode_steps(e))
      .bind(6, sql::encode_strings(e.passenger.log_guids));
}

void check_ids(std::span<const QueueEntry> entries) {
  for (const QueueEntry& e : entries) check_uuid("internal id", e.passenger.internal_id);
}

}  // namespace

constexpr const char* kInsertAttachment =
    "INSERT INTO attachments (client_id, internal_id, position, name, format, content) "
    "VALUES (?, ?, ?, ?, ?, ?)";

void SqliteDatabase::insert_attachments(SqliteQuery& q, const std::string& client_id,
                                        const Passenger& p) {
  std::int64_t position = 0;
  for (const Attachment& a : p.attachments) {
    q.bind_unowned(1, client_id)
        .bind_unowned(2, p.internal_id)
        .bind(3, position++)
        .bind_unowned(4, a.name)
        .bind(5, to_string(a.format))
        .bind_blob_unowned(6, a.content);  // Not copied: lives until the reset.
    q.run();
    q.reset();  // For the next row; the statement stays prepared.
  }
}

void SqliteDatabase::insert_entries(const std::string& client_id,
                                    std::span<const QueueEntry> entries) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  SqliteWrite write(pool_);
  SqliteConnection& c = write.connection();
  // Prepared once per batch, rewound per row.
  SqliteQuery insert(c, kInsertEntry);
  SqliteQuery attachments(c, kInsertAttachment);
  for (const QueueEntry& e : entries) {
    const Passenger& p = e.passenger;
    const sql::EntryFlags f = sql::EntryFlags::of(e);
    const std::string steps = sql::encode_steps(e);
    const std::string log_guids = sql::encode_strings(p.log_guids);
    try {
      // Not copied by SQLite: every string outlives the step.
      insert.bind_unowned(1, client_id)
          .bind_unowned(2, p.internal_id)
          .bind_unowned(3, p.external_id)
          .bind_unowned(4, p.source_system)
          .bind_unowned(5, p.passenger_module)
          .bind_unowned(6, p.puller_module)
          .bind(7, sql::to_micros(p.pull_datetime))
          .bind(8, std::int64_t{f.notified})
          .bind(9, std::int64_t{f.processors_complete})
          .bind(10, std::int64_t{f.pushers_complete})
          .bind(11, std::int64_t{f.complete})
          .bind_unowned(12, steps)
          .bind_unowned(13, log_guids)
          .run();
      insert.rewind();
    } catch (const StorageError& error) {
      throw StorageError("client " + client_id + ": entry " + p.internal_id +
                         " cannot be inserted (stored already?): " + error.what());
    }
    insert_attachments(attachments, client_id, p);
  }
  write.commit();
}

void SqliteDatabase::update_entries(const std::string& client_id,
                                    std::span<const QueueEntry> entries, SaveScope scope) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  SqliteWrite write(pool_);
  SqliteConnection& c = write.connection();
  // Prepared once per batch, rewound per row.
  SqliteQuery q(c, scope == SaveScope::statuses ? kUpdateStatuses : kUpdateEverything);
  std::optional<SqliteQuery> same_complete;
  if (scope == SaveScope::statuses) same_complete.emplace(c, kUpdateStatusesSameComplete);
  std::optional<SqliteQuery> drop_attachments;
  std::optional<SqliteQuery> attachments;
  if (scope == SaveScope::everything) {
    drop_attachments.emplace(c, "DELETE FROM attachments WHERE client_id = ? AND internal_id = ?");
    attachments.emplace(c, kInsertAttachment);
  }
  for (const QueueEntry& e : entries) {
    const Passenger& p = e.passenger;
    if (scope == SaveScope::statuses) {
      // An incomplete entry most likely was incomplete before: try the
      // narrow statement first, and fall back to the full one when the row
      // was complete (or is missing, which the full one then reports).
      const sql::EntryFlags f = sql::EntryFlags::of(e);
      if (!f.complete) {
        const std::string steps = sql::encode_steps(e);
        const std::string log_guids = sql::encode_strings(p.log_guids);
        same_complete->bind(1, std::int64_t{f.notified})
            .bind(2, std::int64_t{f.processors_complete})
            .bind(3, std::int64_t{f.pushers_complete})
            .bind_unowned(4, steps)  // Not copied: outlive the step.
            .bind_unowned(5, log_guids)
            .bind_unowned(6, client_id)
            .bind_unowned(7, p.internal_id)
            .bind(8, std::int64_t{0})
            .run();
        same_complete->rewind();
        if (c.changes() > 0) continue;
      }
      bind_statuses(q, e);
      q.bind(7, client_id).bind(8, p.internal_id).run();
    } else {
      bind_statuses(q, e);
      q.bind(7, p.external_id)
          .bind(8, p.source_system)
          .bind(9, p.passenger_module)
          .bind(10, p.puller_module)
          .bind(11, sql::to_micros(p.pull_datetime))
          .bind(12, client_id)
          .bind(13, p.internal_id)
          .run();
    }
    q.rewind();
    if (c.changes() == 0) {
      throw NotFoundError("client " + client_id + ": queue entry " + p.internal_id +
                          " is not stored");  // Rolls the whole batch back.
    }
    if (scope == SaveScope::everything) {
      drop_attachments->bind(1, client_id).bind(2, p.internal_id).run();
      drop_attachments->reset();
      insert_attachments(*attachments, client_id, p);
    }
  }
  write.commit();
}

std::vector<QueueEntry> SqliteDatabase::read_entries(SqliteConnection& c, SqliteQuery& q,
                                                     const std::string& client_id,
                                                     bool with_content, bool with_names) {
  std::vector<QueueEntry> out;
  while (q.step()) {
    QueueEntry e;
    Passenger& p = e.passenger;
    p.internal_id = q.text(0);
    p.external_id = q.text(1);
    p.source_system = q.text(2);
    p.passenger_module = q.text(3);
    p.puller_module = q.text(4);
    p.pull_datetime = sql::from_micros(q.integer(5));
    e.puller_notified = q.integer(6) != 0;
    try {
      sql::decode_steps(q.text(7), e);
      p.log_guids = sql::decode_strings(q.text(8));
    } catch (const std::invalid_argument& error) {
      const std::string path = "entries/" + p.internal_id;
      problems_.add(client_id, path, path + ": " + error.what());
      continue;
    }
    out.push_back(std::move(e));
  }
  if (!with_content && !with_names) return out;
  const std::string sql = with_content
                              ? "SELECT name, format, content FROM attachments WHERE client_id = ? "
                                "AND internal_id = ? ORDER BY position"
                              : "SELECT name, format FROM attachments WHERE client_id = ? AND "
                                "internal_id = ? ORDER BY position";
  SqliteQuery a(c, sql);  // Prepared once, reset per entry.
  for (QueueEntry& e : out) {
    a.reset();
    a.bind(1, client_id).bind(2, e.passenger.internal_id);
    while (a.step()) {
      Attachment attachment;
      attachment.name = a.text(0);
      try {
        attachment.format = parse_attachment_format(a.text(1));
      } catch (const std::invalid_argument& error) {
        const std::string path = "entries/" + e.passenger.internal_id + "/" + attachment.name;
        problems_.add(client_id, path, path + ": format: " + error.what());
        attachment.format = AttachmentFormat::binary;  // Keep the bytes all the same.
      }
      if (with_content) attachment.content = a.text(2);
      e.passenger.attachments.push_back(std::move(attachment));
    }
  }
  return out;
}

std::vector<QueueEntry> SqliteDatabase::query_entries(const std::string& client_id,
                                                      const EntryQuery& query) {
  check_client_id(client_id);
  const sql::Statement s = sql::select_entries(sql::sqlite_dialect(), client_id, query);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(), s.text);
  q.bind_all(s.parameters);
  return read_entries(read.connection(), q, client_id, query.with_attachments,
                      query.with_attachment_names);
}

std::size_t SqliteDatabase::count_entries(const std::string& client_id, const EntryQuery& query) {
  check_client_id(client_id);
  const sql::Statement s = sql::count_entries(sql::sqlite_dialect(), client_id, query);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(), s.text);
  q.bind_all(s.parameters);
  return q.step() ? static_cast<std::size_t>(q.integer(0)) : 0;
}

std::optional<QueueEntry> SqliteDatabase::load_entry(const std::string& client_id,
                                                     const std::string& internal_id) {
  check_client_id(client_id);
  check_uuid("internal id", internal_id);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(), std::string("SELECT ") + sql::kEntryColumns +
                                       " FROM entries WHERE client_id = ? AND internal_id = ?");
  q.bind(1, client_id).bind(2, internal_id);
  std::vector<QueueEntry> found = read_entries(read.connection(), q, client_id, true, true);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<std::string> SqliteDatabase::find_entry(const std::string& client_id,
                                                      const std::string& passenger_module,
                                                      const std::string& source_system,
                                                      const std::string& external_id) {
  check_client_id(client_id);
  SqliteRead read(pool_);
  SqliteQuery q(read.connection(),
                "SELECT internal_id FROM entries WHERE client_id = ? AND passenger_module = ? "
                "AND source_system = ? AND external_id = ? ORDER BY internal_id LIMIT 1");
  q.bind(1, client_id).bind(2, passenger_module).bind(3, source_system).bind(4, external_id);
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

std::map<DedupKey, std::string> SqliteDatabase::find_entries(const std::string& client_id,
                                                             const std::string& passenger_module,
                                                             std::span<const DedupKey> keys) {
  check_client_id(client_id);
  // Distinct keys, in chunks that stay far below SQLite's parameter limit;
  // one statement per chunk probes the dedup index once per key. CROSS JOIN
  // makes SQLite loop over the keys outside: left to itself, it scanned the
  // whole queue and probed the keys (0.1 s per 100,000 stored entries).
  const std::set<DedupKey> wanted(keys.begin(), keys.end());
  constexpr std::size_t kChunk = 400;
  std::map<DedupKey, std::string> found;
  SqliteRead read(pool_);
  auto it = wanted.begin();
  while (it != wanted.end()) {
    std::vector<const DedupKey*> chunk;
    for (; it != wanted.end() && chunk.size() < kChunk; ++it) chunk.push_back(&*it);
    std::string sql = "WITH k(s, x) AS (VALUES ";
    for (std::size_t i = 0; i < chunk.size(); ++i) sql += i == 0 ? "(?, ?)" : ", (?, ?)";
    sql +=
        ") SELECT e.source_system, e.external_id, min(e.internal_id) FROM k CROSS JOIN entries e "
        "ON "
        "e.client_id = ? AND e.passenger_module = ? AND e.source_system = k.s AND "
        "e.external_id = k.x GROUP BY e.source_system, e.external_id";
    SqliteQuery q(read.connection(), sql);
    int n = 1;
    for (const DedupKey* key : chunk) {
      q.bind(n, key->source_system).bind(n + 1, key->external_id);
      n += 2;
    }
    q.bind(n, client_id).bind(n + 1, passenger_module);
    while (q.step()) found.emplace(DedupKey{q.text(0), q.text(1)}, q.text(2));
  }
  return found;
}

std::set<std::string> SqliteDatabase::stored_ids(const std::string& client_id,
                                                 std::span<const std::string> internal_ids) {
  check_client_id(client_id);
  const std::set<std::string> wanted(internal_ids.begin(), internal_ids.end());
  constexpr std::size_t kChunk = 500;
  std::set<std::string> found;
  SqliteRead read(pool_);
  auto it = wanted.begin();
  while (it != wanted.end()) {
    std::vector<const std::string*> chunk;
    for (; it != wanted.end() && chunk.size() < kChunk; ++it) chunk.push_back(&*it);
    std::string sql = "SELECT internal_id FROM entries WHERE client_id = ? AND internal_id IN (";
    for (std::size_t i = 0; i < chunk.size(); ++i) sql += i == 0 ? "?" : ", ?";
    SqliteQuery q(read.connection(), sql + ")");
    q.bind(1, client_id);
    int n = 2;
    for (const std::string* id : chunk) q.bind(n++, *id);
    while (q.step()) found.insert(q.text(0));
  }
  return found;
}

std::size_t SqliteDatabase::delete_complete_entries(const std::string& client_id,
                                                    const std::string& passenger_module,
                                                    TimePoint before) {
  check_client_id(client_id);
  const std::int64_t bound = sql::ceil_micros(before);
  SqliteWrite write(pool_);
  SqliteConnection& c = write.connection();
  SqliteQuery(c,
              "DELETE FROM attachments WHERE client_id = ? AND internal_id IN (SELECT "
              "internal_id FROM entries WHERE client_id = ? AND passenger_module = ? AND "
              "complete = 1 AND pull_time < ?)")
      .bind(1, client_id)
      .bind(2, client_id)
      .bind(3, passenger_module)
      .bind(4, bound)
      .run();
  SqliteQuery(c,
              "DELETE FROM entries WHERE client_id = ? AND passenger_module = ? AND "
              "complete = 1 AND pull_time < ?")
      .bind(1, client_id)
      .bind(2, passenger_module)
      .bind(3, bound)
      .run();
  const auto n = static_cast<std::size_t>(c.changes());
  write.commit();
  return n;
}

}  // namespace databus
