// The SQLite engine, part 2b: reading the queue (the queries of
// sql_query.h, single entries, the dedup lookups).
#include <optional>
#include <set>

#include "storage/sql/sql_codec.h"
#include "storage/sql/sql_query.h"
#include "storage/sqlite/sqlite_database_impl.h"
#include "storage/storage_names.h"

namespace databus {

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
      sql::decode_log_guids(q.text(8), p);
    } catch (const std::invalid_argument& error) {
      const std::string path = "entries/" + p.internal_id;
      problems_.add(client_id, path, path + ": " + error.what());
      continue;
    }
    out.push_back(std::move(e));
  }
  if (!with_content && !with_names) return out;
  const std::string sql =
      std::string(with_content ? "SELECT name, format, full_name, spooled, content"
                               : "SELECT name, format, full_name, spooled") +
      " FROM entry_attachments WHERE entry = (SELECT entry FROM entries WHERE client_id = ? AND "
      "internal_id = ?) ORDER BY position";
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
      attachment.full_name = a.text(2);
      if (const auto spooled = decode_spooled(a.text(3))) {
        attachment.spool = blobs_.file(client_id, e.passenger.internal_id, attachment.name,
                                       spooled->first, spooled->second);
      } else if (with_content) {
        attachment.content = a.text(4);
      }
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
  SqliteQuery q(read.connection(), std::string("SELECT ") + sql::kEntryColumns + " FROM " +
                                       sql::sqlite_dialect().entries_from +
                                       " WHERE client_id = ? AND internal_id = ?");
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

}  // namespace databus
