// The PostgreSQL engine, part 2: the queue, in multi-row statements.
#include <map>
#include <set>

#include "databus/error.h"
#include "storage/postgresql/pg_database_impl.h"
#include "storage/sql/sql_codec.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

// Rows per multi-row statement: far below the protocol's 65535 parameters.
constexpr std::size_t kRowsPerStatement = 1000;
// Attachment bytes per statement, so that one message stays moderate.
constexpr std::size_t kBytesPerStatement = 32 << 20;

PgParam text(std::string value) { return {std::move(value), false}; }
PgParam number(std::int64_t value) { return {std::to_string(value), false}; }
// A text[] literal: every element double-quoted, '"' and '\\' escaped.
std::string text_array(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (std::string_view v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

PgParam flag(bool value) { return {value ? "1" : "0", false}; }

// "($k::t1, $k+1::t2, ...)" for the next casts.size() parameters of `params`.
std::string placeholders(const PgParams& params, std::size_t count,
                         const std::vector<const char*>& casts = {}) {
  std::string row = "(";
  const std::size_t first = params.size() - count + 1;
  for (std::size_t i = 0; i < count; ++i) {
    row += (i ? ", $" : "$") + std::to_string(first + i);
    if (i < casts.size() && casts[i] != nullptr) row += std::string("::") + casts[i];
  }
  return row + ")";
}

PgParams to_params(const std::vector<sql::Value>& values) {
  PgParams out;
  for (const sql::Value& v : values) {
    if (const auto* s = std::get_if<std::string>(&v)) {
      out.push_back(text(*s));
    } else {
      out.push_back(number(std::get<std::int64_t>(v)));
    }
  }
  return out;
}

// A text[] literal of UUIDs (validated, so nothing needs quoting).
std::string id_array(const std::vector<const QueueEntry*>& entries) {
  std::string out = "{";
  for (const QueueEntry* e : entries) {
    out += (out.size() > 1 ? "," : "") + e->passenger.internal_id;
  }
  return out + "}";
}

void check_ids(std::span<const QueueEntry> entries) {
  for (const QueueEntry& e : entries) check_uuid("internal id", e.passenger.internal_id);
}

}  // namespace

void PgDatabase::insert_attachments(PgTransaction& tx, const std::string& client_id,
                                    std::span<const QueueEntry> entries) {
  std::string sql;
  PgParams params;
  std::size_t rows = 0;
  std::size_t bytes = 0;
  auto flush = [&] {
    if (rows == 0) return;
    tx.run(
        "INSERT INTO attachments (client_id, internal_id, position, name, format, content) "
        "VALUES " +
            sql,
        params);
    sql.clear();
    params.clear();
    rows = bytes = 0;
  };
  for (const QueueEntry& e : entries) {
    std::int64_t position = 0;
    for (const Attachment& a : e.passenger.attachments) {
      params.push_back(text(client_id));
      params.push_back(text(e.passenger.internal_id));
      params.push_back(number(position++));
      params.push_back(text(a.name));
      params.push_back(text(std::string(to_string(a.format))));
      params.push_back({a.content, true});
      sql += (rows ? ", " : "") + placeholders(params, 6);
      ++rows;
      bytes += a.content.size();
      if (rows >= kRowsPerStatement || bytes >= kBytesPerStatement) flush();
    }
  }
  flush();
}

void PgDatabase::insert_entries(const std::string& client_id, std::span<const QueueEntry> entries) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  PgTransaction tx(pool_);
  for (std::size_t start = 0; start < entries.size(); start += kRowsPerStatement) {
    std::string sql =
        "INSERT INTO entries (client_id, internal_id, external_id, source_system, "
        "passenger_module, puller_module, pull_time, notified, processors_complete, "
        "pushers_complete, complete, steps, log_guids) VALUES ";
    PgParams params;
    const std::size_t end = std::min(entries.size(), start + kRowsPerStatement);
    for (std::size_t i = start; i < end; ++i) {
      const QueueEntry& e = entries[i];
      const Passenger& p = e.passenger;
      const sql::EntryFlags f = sql::EntryFlags::of(e);
      params.insert(
          params.end(),
          {text(client_id), text(p.internal_id), text(p.external_id), text(p.source_system),
           text(p.passenger_module), text(p.puller_module), number(sql::to_micros(p.pull_datetime)),
           flag(f.notified), flag(f.processors_complete), flag(f.pushers_complete),
           flag(f.complete), text(sql::encode_steps(e)), text(sql::encode_strings(p.log_guids))});
      sql += (i > start ? ", " : "") + placeholders(params, 13);
    }
    try {
      tx.run(sql, params);
    } catch (const StorageError& error) {
      if (tx.connection().sqlstate() != "23505") throw;
      throw StorageError("client " + client_id +
                         ": an entry of the batch is stored already: " + error.what());
    }
  }
  insert_attachments(tx, client_id, entries);
  tx.commit();
}

void PgDatabase::update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                                SaveScope scope) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  // The last version of each entry wins, as if they were written in order.
  std::map<std::string, const QueueEntry*> latest;
  for (const QueueEntry& e : entries) latest[e.passenger.internal_id] = &e;
  std::vector<const QueueEntry*> unique;
  for (const auto& [id, e] : latest) unique.push_back(e);

  const bool everything = scope == SaveScope::everything;
  static const std::vector<const char*> kCasts = {"text",     "smallint", "smallint", "smallint",
                                                  "smallint", "text",     "text",     "text",
                                                  "text",     "text",     "text",     "bigint"};
  const std::size_t columns = everything ? 12 : 7;
  PgTransaction tx(pool_);
  std::int64_t updated = 0;
  for (std::size_t start = 0; start < unique.size(); start += kRowsPerStatement) {
    std::string sql =
        "UPDATE entries AS e SET notified = v.notified, processors_complete = v.pc, "
        "pushers_complete = v.puc, complete = v.done, steps = v.steps, log_guids = v.guids";
    if (everything) {
      sql +=
          ", external_id = v.ext, source_system = v.src, passenger_module = v.module, "
          "puller_module = v.puller, pull_time = v.pulled";
    }
    sql += " FROM (VALUES ";
    PgParams params{text(client_id)};
    const std::size_t end = std::min(unique.size(), start + kRowsPerStatement);
    for (std::size_t i = start; i < end; ++i) {
      const QueueEntry& e = *unique[i];
      const Passenger& p = e.passenger;
      const sql::EntryFlags f = sql::EntryFlags::of(e);
      params.insert(params.end(),
                    {text(p.internal_id), flag(f.notified), flag(f.processors_complete),
                     flag(f.pushers_complete), flag(f.complete), text(sql::encode_steps(e)),
                     text(sql::encode_strings(p.log_guids))});
      if (everything) {
        params.insert(params.end(),
                      {text(p.external_id), text(p.source_system), text(p.passenger_module),
                       text(p.puller_module), number(sql::to_micros(p.pull_datetime))});
      }
      sql += (i > start ? ", " : "") + placeholders(params, columns, kCasts);
    }
    sql += ") AS v(id, notified, pc, puc, done, steps, guids";
    sql += everything ? ", ext, src, module, puller, pulled)" : ")";
    sql += " WHERE e.client_id = $1 AND e.internal_id = v.id";
    updated += tx.run(sql, params).affected();
  }
  if (updated != static_cast<std::int64_t>(unique.size())) {
    const PgResult found = tx.run(
        "SELECT internal_id FROM entries WHERE client_id = $1 AND internal_id = ANY($2::text[])",
        {text(client_id), text(id_array(unique))});
    std::set<std::string> stored;
    for (int i = 0; i < found.rows(); ++i) stored.insert(found.text(i, 0));
    for (const QueueEntry* e : unique) {
      if (stored.count(e->passenger.internal_id) == 0) {
        throw NotFoundError("client " + client_id + ": queue entry " + e->passenger.internal_id +
                            " is not stored");  // Rolls the whole batch back.
      }
    }
  }
  if (everything) {
    tx.run("DELETE FROM attachments WHERE client_id = $1 AND internal_id = ANY($2::text[])",
           {text(client_id), text(id_array(unique))});
    std::vector<QueueEntry> rows;
    for (const QueueEntry* e : unique) rows.push_back(*e);
    insert_attachments(tx, client_id, rows);
  }
  tx.commit();
}

std::vector<QueueEntry> PgDatabase::read_entries(const sql::Statement& inner,
                                                 const std::string& client_id, bool with_content,
                                                 bool newest_first) {
  const char* order = newest_first ? " DESC" : "";
  const std::string sql = std::string("SELECT e.*, a.name, a.format") +
                          (with_content ? ", a.content" : "") + " FROM (" + inner.text +
                          ") AS e LEFT JOIN attachments AS a ON a.client_id = $1 AND "
                          "a.internal_id = e.internal_id ORDER BY e.pull_time" +
                          order + ", e.internal_id" + order + ", a.position";
  const PgResult r = pool_.acquire()->run(sql, to_params(inner.parameters));
  std::vector<QueueEntry> out;
  std::string current;  // Internal id of the row group being read.
  bool skip = false;    // The current entry is malformed.
  for (int row = 0; row < r.rows(); ++row) {
    const std::string id = r.text(row, 0);
    if (row == 0 || id != current) {
      current = id;
      skip = false;
      QueueEntry e;
      Passenger& p = e.passenger;
      p.internal_id = id;
      p.external_id = r.text(row, 1);
      p.source_system = r.text(row, 2);
      p.passenger_module = r.text(row, 3);
      p.puller_module = r.text(row, 4);
      p.pull_datetime = sql::from_micros(r.integer(row, 5));
      e.puller_notified = r.integer(row, 6) != 0;
      try {
        sql::decode_steps(r.text(row, 7), e);
        p.log_guids = sql::decode_strings(r.text(row, 8));
        out.push_back(std::move(e));
      } catch (const std::invalid_argument& error) {
        problems_.add(client_id, "entries/" + id, "entries/" + id + ": " + error.what());
        skip = true;
      }
    }
    if (skip || r.is_null(row, 9)) continue;
    Attachment a;
    a.name = r.text(row, 9);
    try {
      a.format = parse_attachment_format(r.text(row, 10));
    } catch (const std::invalid_argument& error) {
      const std::string path = "entries/" + id + "/" + a.name;
      problems_.add(client_id, path, path + ": format: " + error.what());
      a.format = AttachmentFormat::binary;  // Keep the bytes all the same.
    }
    if (with_content) a.content = r.text(row, 11);
    out.back().passenger.attachments.push_back(std::move(a));
  }
  return out;
}

std::vector<QueueEntry> PgDatabase::query_entries(const std::string& client_id,
                                                  const EntryQuery& query) {
  check_client_id(client_id);
  return read_entries(sql::select_entries(sql::postgresql_dialect(), client_id, query), client_id,
                      query.with_attachments, query.newest_first);
}

std::size_t PgDatabase::count_entries(const std::string& client_id, const EntryQuery& query) {
  check_client_id(client_id);
  const sql::Statement s = sql::count_entries(sql::postgresql_dialect(), client_id, query);
  const PgResult r = pool_.acquire()->run(s.text, to_params(s.parameters));
  return static_cast<std::size_t>(r.integer(0, 0));
}

std::optional<QueueEntry> PgDatabase::load_entry(const std::string& client_id,
                                                 const std::string& internal_id) {
  check_client_id(client_id);
  check_uuid("internal id", internal_id);
  sql::Statement s;
  s.text = std::string("SELECT ") + sql::kEntryColumns +
           " FROM entries WHERE client_id = $1 AND internal_id = $2";
  s.parameters = {client_id, internal_id};
  std::vector<QueueEntry> found = read_entries(s, client_id, true, false);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<std::string> PgDatabase::find_entry(const std::string& client_id,
                                                  const std::string& passenger_module,
                                                  const std::string& source_system,
                                                  const std::string& external_id) {
  check_client_id(client_id);
  const PgResult r = pool_.acquire()->run(
      "SELECT internal_id FROM entries WHERE client_id = $1 AND passenger_module = $2 AND "
      "source_system = $3 AND external_id = $4 ORDER BY internal_id LIMIT 1",
      {text(client_id), text(passenger_module), text(source_system), text(external_id)});
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0);
}

std::map<DedupKey, std::string> PgDatabase::find_entries(const std::string& client_id,
                                                         const std::string& passenger_module,
                                                         std::span<const DedupKey> keys) {
  check_client_id(client_id);
  std::map<DedupKey, std::string> found;
  if (keys.empty()) return found;
  // One round trip: the keys travel as two parallel arrays.
  std::vector<std::string_view> sources;
  std::vector<std::string_view> external_ids;
  for (const DedupKey& key : keys) {
    sources.push_back(key.source_system);
    external_ids.push_back(key.external_id);
  }
  const PgResult r = pool_.acquire()->run(
      "SELECT e.source_system, e.external_id, min(e.internal_id) FROM "
      "unnest($3::text[], $4::text[]) AS k(s, x) JOIN entries e ON e.client_id = $1 AND "
      "e.passenger_module = $2 AND e.source_system = k.s AND e.external_id = k.x "
      "GROUP BY e.source_system, e.external_id",
      {text(client_id), text(passenger_module), text(text_array(sources)),
       text(text_array(external_ids))});
  for (int i = 0; i < r.rows(); ++i) {
    found.emplace(DedupKey{r.text(i, 0), r.text(i, 1)}, r.text(i, 2));
  }
  return found;
}

std::set<std::string> PgDatabase::stored_ids(const std::string& client_id,
                                             std::span<const std::string> internal_ids) {
  check_client_id(client_id);
  std::set<std::string> found;
  if (internal_ids.empty()) return found;
  const std::vector<std::string_view> ids(internal_ids.begin(), internal_ids.end());
  const PgResult r = pool_.acquire()->run(
      "SELECT internal_id FROM entries WHERE client_id = $1 AND internal_id = ANY($2::text[])",
      {text(client_id), text(text_array(ids))});
  for (int i = 0; i < r.rows(); ++i) found.insert(r.text(i, 0));
  return found;
}

std::size_t PgDatabase::delete_complete_entries(const std::string& client_id,
                                                const std::string& passenger_module,
                                                TimePoint before) {
  check_client_id(client_id);
  // One statement: atomic without a transaction of its own.
  const PgResult r = pool_.acquire()->run(
      "WITH gone AS (DELETE FROM entries WHERE client_id = $1 AND passenger_module = $2 AND "
      "complete = 1 AND pull_time < $3 RETURNING internal_id), "
      "dropped AS (DELETE FROM attachments WHERE client_id = $1 AND internal_id IN "
      "(SELECT internal_id FROM gone)) SELECT count(*) FROM gone",
      {text(client_id), text(passenger_module), number(sql::ceil_micros(before))});
  return static_cast<std::size_t>(r.integer(0, 0));
}

}  // namespace databus
