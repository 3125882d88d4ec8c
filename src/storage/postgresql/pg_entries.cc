// The PostgreSQL engine, part 2: the queue's writes, in multi-row
// statements (pg_entries_read.cc reads it).
#include <algorithm>
#include <map>
#include <set>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "storage/postgresql/pg_database_impl.h"
#include "storage/postgresql/pg_text.h"
#include "storage/sql/sql_codec.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

// Rows per multi-row statement: far below the protocol's 65535 parameters.
constexpr std::size_t kRowsPerStatement = 1000;
// Attachment bytes per statement, so that one message stays moderate.
constexpr std::size_t kBytesPerStatement = 32 << 20;

PgParam text(std::string value) { return {std::move(value), false}; }
// A passenger field, which may hold any bytes (pg_text.h).
PgParam field(std::string_view value) { return {pg_escape_text(value), false}; }
PgParam number(std::int64_t value) { return {std::to_string(value), false}; }
// A text[] parameter of `values`.
PgParam text_array_of(const std::vector<std::string>& values) {
  return text(pg_text_array(std::vector<std::string_view>(values.begin(), values.end())));
}

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

// Appends the retry columns of `f` to the array literals being built.
void append_retry_flags(const sql::EntryFlags& f, const char* comma, std::string& due,
                        std::string& failing, std::string& quarantined) {
  due += comma + (f.due_at ? std::to_string(*f.due_at) : std::string("NULL"));
  failing += comma + std::string(f.failing ? "1" : "0");
  quarantined += comma + std::string(f.quarantined ? "1" : "0");
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
        "INSERT INTO attachments (client_id, internal_id, position, name, format, content, "
        "full_name, spooled) "
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
      params.push_back(field(a.name));
      params.push_back(text(std::string(to_string(a.format))));
      params.push_back({a.content, true});  // Empty for a spooled one.
      params.push_back(field(a.full_name));
      params.push_back(text(encode_spooled(a)));
      sql += (rows ? ", " : "") + placeholders(params, 8);
      ++rows;
      bytes += content_size(a);
      if (rows >= kRowsPerStatement || bytes >= kBytesPerStatement) flush();
    }
  }
  flush();
  // A spooled attachment's bytes, chunk by chunk, never whole in memory.
  for (const QueueEntry& e : entries) {
    std::int64_t position = 0;
    for (const Attachment& a : e.passenger.attachments) {
      const std::int64_t at = position++;
      if (a.spool == nullptr) continue;
      ContentReader reader(a);
      std::int64_t seq = 0;
      for (std::string_view chunk = reader.next(); !chunk.empty(); chunk = reader.next()) {
        tx.run(
            "INSERT INTO attachment_chunks (client_id, internal_id, position, seq, data) VALUES "
            "($1, $2, $3, $4, $5)",
            {text(client_id),
             text(e.passenger.internal_id),
             number(at),
             number(seq++),
             {std::string(chunk), true}});
      }
    }
  }
}

void PgDatabase::insert_entries_fenced(const std::string& client_id,
                                       std::span<const QueueEntry> entries, const Lease* fence) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  PgTransaction tx(pool_);
  if (fence != nullptr) check_fence(tx, *fence);
  insert_rows(tx, client_id, entries);
  tx.commit();
}

std::vector<std::size_t> PgDatabase::seat_entries_fenced(const std::string& client_id,
                                                         std::span<const QueueEntry> entries,
                                                         const Lease* fence) {
  check_client_id(client_id);
  check_ids(entries);
  std::vector<std::size_t> skipped;
  if (entries.empty()) return skipped;
  const std::string& module = entries.front().passenger.passenger_module;
  PgTransaction tx(pool_);
  if (fence != nullptr) check_fence(tx, *fence);
  // Seats of one client passenger module, from every node, take turns here
  // until commit: the check below and the insert are one step for all of
  // them (a UNIQUE index cannot do it: data copied from a JSON DB edited by
  // hand may repeat a key, pg_schema.cc).
  tx.run("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))",
         {text(client_id), field(module)});
  std::vector<std::string_view> sources, external_ids;
  std::vector<std::string> escaped;
  escaped.reserve(2 * entries.size());
  for (const QueueEntry& e : entries) {
    sources.push_back(escaped.emplace_back(pg_escape_text(e.passenger.source_system)));
    external_ids.push_back(escaped.emplace_back(pg_escape_text(e.passenger.external_id)));
  }
  const PgResult r = tx.run(
      "SELECT DISTINCT k.s, k.x FROM unnest($3::text[], $4::text[]) AS k(s, x) CROSS JOIN "
      "LATERAL (SELECT 1 FROM entries WHERE client_id = $1 AND passenger_module = $2 AND "
      "source_system = k.s AND external_id = k.x LIMIT 1) AS e",
      {text(client_id), field(module), text(pg_text_array(sources)),
       text(pg_text_array(external_ids))});
  std::set<std::pair<std::string_view, std::string_view>> taken;
  std::vector<std::string> stored_keys;  // The views in `taken` point into it.
  stored_keys.reserve(2 * static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    const std::string_view s = stored_keys.emplace_back(r.text(i, 0));
    const std::string_view x = stored_keys.emplace_back(r.text(i, 1));
    taken.insert({s, x});
  }
  std::vector<QueueEntry> fresh;  // Copied only when some are skipped.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!taken.insert({sources[i], external_ids[i]}).second) {
      if (skipped.empty()) fresh.assign(entries.begin(), entries.begin() + i);
      skipped.push_back(i);  // Stored, or repeated earlier in `entries`.
    } else if (!skipped.empty()) {
      fresh.push_back(entries[i]);
    }
  }
  if (skipped.empty()) {
    insert_rows(tx, client_id, entries);
  } else if (!fresh.empty()) {
    insert_rows(tx, client_id, fresh);
  }
  tx.commit();
  return skipped;
}

void PgDatabase::insert_rows(PgTransaction& tx, const std::string& client_id,
                             std::span<const QueueEntry> entries) {
  // One statement, each column one array parameter (as in update_entries).
  std::vector<std::string> ids, ext, src, module, puller, steps, guids;
  std::string pulled = "{", notified = "{", pc = "{", puc = "{", done = "{";
  std::string due = "{", failing = "{", quarantined = "{";
  for (const QueueEntry& e : entries) {
    const Passenger& p = e.passenger;
    const sql::EntryFlags f = sql::EntryFlags::of(e);
    const char* comma = ids.empty() ? "" : ",";
    ids.push_back(p.internal_id);
    ext.push_back(pg_escape_text(p.external_id));
    src.push_back(pg_escape_text(p.source_system));
    module.push_back(pg_escape_text(p.passenger_module));
    puller.push_back(pg_escape_text(p.puller_module));
    pulled += comma + std::to_string(sql::to_micros(p.pull_datetime));
    notified += comma + std::string(f.notified ? "1" : "0");
    pc += comma + std::string(f.processors_complete ? "1" : "0");
    puc += comma + std::string(f.pushers_complete ? "1" : "0");
    done += comma + std::string(f.complete ? "1" : "0");
    append_retry_flags(f, comma, due, failing, quarantined);
    steps.push_back(sql::encode_steps(e));
    guids.push_back(sql::encode_log_guids(p));
  }
  try {
    tx.run(
        "INSERT INTO entries (client_id, internal_id, external_id, source_system, "
        "passenger_module, puller_module, pull_time, notified, processors_complete, "
        "pushers_complete, complete, steps, log_guids, due_at, failing, quarantined) SELECT $1, "
        "v.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
        "$7::bigint[], $8::smallint[], $9::smallint[], $10::smallint[], $11::smallint[], "
        "$12::text[], $13::text[], $14::bigint[], $15::smallint[], $16::smallint[]) AS v",
        {text(client_id), text_array_of(ids), text_array_of(ext), text_array_of(src),
         text_array_of(module), text_array_of(puller), text(pulled + "}"), text(notified + "}"),
         text(pc + "}"), text(puc + "}"), text(done + "}"), text_array_of(steps),
         text_array_of(guids), text(due + "}"), text(failing + "}"), text(quarantined + "}")});
  } catch (const StorageError& error) {
    if (tx.connection().sqlstate() != "23505") throw;
    throw StorageError("client " + client_id +
                       ": an entry of the batch is stored already: " + error.what());
  }
  insert_attachments(tx, client_id, entries);
}

void PgDatabase::update_entries_fenced(const std::string& client_id,
                                       std::span<const QueueEntry> entries, SaveScope scope,
                                       const Lease* fence) {
  check_client_id(client_id);
  check_ids(entries);
  if (entries.empty()) return;
  // The last version of each entry wins, as if they were written in order.
  std::map<std::string, const QueueEntry*> latest;
  for (const QueueEntry& e : entries) latest[e.passenger.internal_id] = &e;
  std::vector<const QueueEntry*> unique;
  for (const auto& [id, e] : latest) unique.push_back(e);

  // One statement for the whole batch, whatever its size: each column
  // travels as one array parameter and unnest() turns them back into rows,
  // joined to their entries by key. Short to parse and bind, unlike a
  // multi-row VALUES list of 7-12 parameters per entry.
  const bool everything = scope == SaveScope::everything;
  std::vector<std::string> ids, steps, guids;
  std::string notified = "{", pc = "{", puc = "{", done = "{";
  std::string due = "{", failing = "{", quarantined = "{";
  std::vector<std::string> ext, src, module, puller;
  std::string pulled = "{";
  for (const QueueEntry* e : unique) {
    const Passenger& p = e->passenger;
    const sql::EntryFlags f = sql::EntryFlags::of(*e);
    const char* comma = ids.empty() ? "" : ",";
    ids.push_back(p.internal_id);
    steps.push_back(sql::encode_steps(*e));
    guids.push_back(sql::encode_log_guids(p));
    notified += comma + std::string(f.notified ? "1" : "0");
    pc += comma + std::string(f.processors_complete ? "1" : "0");
    puc += comma + std::string(f.pushers_complete ? "1" : "0");
    done += comma + std::string(f.complete ? "1" : "0");
    append_retry_flags(f, comma, due, failing, quarantined);
    if (everything) {
      ext.push_back(pg_escape_text(p.external_id));
      src.push_back(pg_escape_text(p.source_system));
      module.push_back(pg_escape_text(p.passenger_module));
      puller.push_back(pg_escape_text(p.puller_module));
      pulled += comma + std::to_string(sql::to_micros(p.pull_datetime));
    }
  }
  const auto array = text_array_of;
  PgParams params{text(client_id), array(ids),          text(notified + "}"),   text(pc + "}"),
                  text(puc + "}"), text(done + "}"),    array(steps),           array(guids),
                  text(due + "}"), text(failing + "}"), text(quarantined + "}")};
  // Setting due_at to the value it has keeps a HOT update HOT.
  std::string sql =
      "UPDATE entries AS e SET notified = v.notified, processors_complete = v.pc, "
      "pushers_complete = v.puc, complete = v.done, steps = v.steps, log_guids = v.guids, "
      "due_at = v.due, failing = v.failing, quarantined = v.quarantined";
  std::string arrays =
      "$2::text[], $3::smallint[], $4::smallint[], $5::smallint[], $6::smallint[], $7::text[], "
      "$8::text[], $9::bigint[], $10::smallint[], $11::smallint[]";
  std::string names = "id, notified, pc, puc, done, steps, guids, due, failing, quarantined";
  if (everything) {
    sql +=
        ", external_id = v.ext, source_system = v.src, passenger_module = v.module, "
        "puller_module = v.puller, pull_time = v.pulled";
    arrays += ", $12::text[], $13::text[], $14::text[], $15::text[], $16::bigint[]";
    names += ", ext, src, module, puller, pulled";
    params.insert(params.end(),
                  {array(ext), array(src), array(module), array(puller), text(pulled + "}")});
  }
  sql += " FROM unnest(" + arrays + ") AS v(" + names +
         ") WHERE e.client_id = $1 AND e.internal_id = v.id";
  PgTransaction tx(pool_);
  if (fence != nullptr) check_fence(tx, *fence);
  const std::int64_t updated = tx.run(sql, params).affected();
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
    for (const char* table : {"attachments", "attachment_chunks"}) {
      tx.run(std::string("DELETE FROM ") + table +
                 " WHERE client_id = $1 AND internal_id = ANY($2::text[])",
             {text(client_id), text(id_array(unique))});
    }
    std::vector<QueueEntry> rows;
    for (const QueueEntry* e : unique) rows.push_back(*e);
    insert_attachments(tx, client_id, rows);
  }
  tx.commit();
}

std::size_t PgDatabase::delete_complete_entries_fenced(const std::string& client_id,
                                                       const std::string& passenger_module,
                                                       TimePoint before, const Lease* fence) {
  check_client_id(client_id);
  // The entries first, then their attachments by id, in one transaction:
  // exact whatever the planner believes. (One statement deleting the
  // attachments "IN (SELECT ... FROM gone)" of a data-modifying CTE ran for
  // minutes at 100,000 entries: estimating one purged entry, the planner
  // rescanned the CTE for every attachment.)
  PgTransaction tx(pool_);
  if (fence != nullptr) check_fence(tx, *fence);
  const PgResult gone = tx.run(
      "DELETE FROM entries WHERE client_id = $1 AND passenger_module = $2 AND complete = 1 AND "
      "pull_time < $3 RETURNING internal_id",
      {text(client_id), field(passenger_module), number(sql::ceil_micros(before))});
  if (gone.rows() > 0) {
    std::string ids = "{";  // UUIDs: nothing to quote.
    for (int i = 0; i < gone.rows(); ++i) (ids += i ? "," : "") += gone.text(i, 0);
    for (const char* table : {"attachments", "attachment_chunks"}) {
      tx.run(std::string("DELETE FROM ") + table +
                 " WHERE client_id = $1 AND internal_id = ANY($2::text[])",
             {text(client_id), text(ids + "}")});
    }
  }
  tx.commit();
  return static_cast<std::size_t>(gone.rows());
}

}  // namespace databus
