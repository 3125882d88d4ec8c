// The PostgreSQL engine, part 2b: reading the queue (the queries of
// sql_query.h, single entries, the dedup lookups).
#include <algorithm>
#include <map>
#include <set>

#include "databus/attachment_content.h"
#include "storage/postgresql/pg_database_impl.h"
#include "storage/postgresql/pg_text.h"
#include "storage/sql/sql_codec.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

PgParam text(std::string value) { return {std::move(value), false}; }
// A passenger field, which may hold any bytes (pg_text.h).
PgParam field(std::string_view value) { return {pg_escape_text(value), false}; }
PgParam number(std::int64_t value) { return {std::to_string(value), false}; }

PgParams to_params(const std::vector<sql::Value>& values) {
  PgParams out;
  for (const sql::Value& v : values) {
    if (const auto* s = std::get_if<std::string>(&v)) {
      // Compared with stored passenger fields, so escaped as they are.
      out.push_back(field(*s));
    } else {
      out.push_back(number(std::get<std::int64_t>(v)));
    }
  }
  return out;
}

}  // namespace

std::vector<QueueEntry> PgDatabase::read_entries(const sql::Statement& inner,
                                                 const std::string& client_id, bool with_content,
                                                 bool with_names, bool newest_first) {
  const char* order = newest_first ? " DESC" : "";
  const bool joined = with_content || with_names;
  const std::string sql = !joined
                              ? inner.text
                              : std::string(
                                    "SELECT e.*, a.name, a.format, a.full_name, "
                                    "a.position, a.spooled") +
                                    (with_content ? ", a.content" : "") + " FROM (" + inner.text +
                                    ") AS e LEFT JOIN attachments AS a ON a.client_id = $1 "
                                    "AND a.internal_id = e.internal_id ORDER BY e.pull_time" +
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
      p.external_id = pg_unescape_text(r.text(row, 1));
      p.source_system = pg_unescape_text(r.text(row, 2));
      p.passenger_module = pg_unescape_text(r.text(row, 3));
      p.puller_module = pg_unescape_text(r.text(row, 4));
      p.pull_datetime = sql::from_micros(r.integer(row, 5));
      e.puller_notified = r.integer(row, 6) != 0;
      try {
        sql::decode_steps(r.text(row, 7), e);
        sql::decode_log_guids(r.text(row, 8), p);
        out.push_back(std::move(e));
      } catch (const std::invalid_argument& error) {
        problems_.add(client_id, "entries/" + id, "entries/" + id + ": " + error.what());
        skip = true;
      }
    }
    if (!joined || skip || r.is_null(row, 9)) continue;
    Attachment a;
    a.name = pg_unescape_text(r.text(row, 9));
    try {
      a.format = parse_attachment_format(r.text(row, 10));
    } catch (const std::invalid_argument& error) {
      const std::string path = "entries/" + id + "/" + a.name;
      problems_.add(client_id, path, path + ": format: " + error.what());
      a.format = AttachmentFormat::binary;  // Keep the bytes all the same.
    }
    a.full_name = pg_unescape_text(r.text(row, 11));
    if (const auto spooled = decode_spooled(r.text(row, 13))) {
      // Without content: the size and SHA-256 only (no file to read).
      a.spool = with_content ? read_chunks(client_id, id, r.integer(row, 12), *spooled)
                             : std::make_shared<const SpooledFile>("", spooled->first,
                                                                   spooled->second, false);
    } else if (with_content) {
      a.content = r.text(row, 14);
    }
    out.back().passenger.attachments.push_back(std::move(a));
  }
  return out;
}

std::shared_ptr<const SpooledFile> PgDatabase::read_chunks(
    const std::string& client_id, const std::string& internal_id, std::int64_t position,
    const std::pair<std::uint64_t, std::string>& spooled) {
  // Copied chunk by chunk into a spool file of this process (the system's
  // temporary folder), removed when the last handle goes.
  AttachmentWriter writer(SpoolSettings{{}, 0}, "", AttachmentFormat::binary);
  auto connection = pool_.acquire();
  for (std::int64_t seq = 0;; ++seq) {
    const PgResult chunk = connection->run(
        "SELECT data FROM attachment_chunks WHERE client_id = $1 AND internal_id = $2 AND "
        "position = $3 AND seq = $4",
        {text(client_id), text(internal_id), number(position), number(seq)});
    if (chunk.rows() == 0) break;
    writer.write(chunk.text(0, 0));
  }
  const Attachment copy = writer.finish();
  if (content_size(copy) != spooled.first || copy.spool->sha256() != spooled.second) {
    throw CorruptDataError("entries/" + internal_id,
                           "the chunks of a large attachment do not add up to its size and "
                           "SHA-256");
  }
  return copy.spool;
}

std::vector<QueueEntry> PgDatabase::query_entries(const std::string& client_id,
                                                  const EntryQuery& query) {
  check_client_id(client_id);
  return read_entries(sql::select_entries(sql::postgresql_dialect(), client_id, query), client_id,
                      query.with_attachments, query.with_attachment_names, query.newest_first);
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
  std::vector<QueueEntry> found = read_entries(s, client_id, true, true, false);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<std::string> PgDatabase::find_entry(const std::string& client_id,
                                                  const std::string& passenger_module,
                                                  const std::string& source_system,
                                                  const std::string& external_id) {
  check_client_id(client_id);
  // Every match, the least id chosen here: "ORDER BY internal_id LIMIT 1"
  // let the planner walk the primary key instead of the dedup index.
  const PgResult r = pool_.acquire()->run(
      "SELECT internal_id FROM entries WHERE client_id = $1 AND passenger_module = $2 AND "
      "source_system = $3 AND external_id = $4",
      {text(client_id), field(passenger_module), field(source_system), field(external_id)});
  if (r.rows() == 0) return std::nullopt;
  std::string least = r.text(0, 0);
  for (int i = 1; i < r.rows(); ++i) least = std::min(least, r.text(i, 0));
  return least;
}

std::map<DedupKey, std::string> PgDatabase::find_entries(const std::string& client_id,
                                                         const std::string& passenger_module,
                                                         std::span<const DedupKey> keys) {
  check_client_id(client_id);
  std::map<DedupKey, std::string> found;
  if (keys.empty()) return found;
  // One round trip: the keys travel as two parallel arrays.
  const std::set<DedupKey> wanted(keys.begin(), keys.end());
  std::vector<std::string> escaped;  // Stored forms; the views below point into it.
  escaped.reserve(2 * wanted.size());
  std::vector<std::string_view> sources;
  std::vector<std::string_view> external_ids;
  for (const DedupKey& key : wanted) {
    sources.push_back(escaped.emplace_back(pg_escape_text(key.source_system)));
    external_ids.push_back(escaped.emplace_back(pg_escape_text(key.external_id)));
  }
  // One probe of the dedup index per key: a LATERAL subquery that OFFSET 0
  // keeps from being flattened into a join, every match returned and the
  // least id kept here. As a plain join the planner, whose statistics lag
  // behind a queue that just grew, hashed the keys and scanned every entry
  // of the passenger type (40-100 ms at 100,000 entries); with min() in the
  // subquery it walked the primary key in id order instead (seconds).
  const PgResult r = pool_.acquire()->run(
      "SELECT k.s, k.x, e.internal_id FROM unnest($3::text[], $4::text[]) AS k(s, x) CROSS "
      "JOIN LATERAL (SELECT internal_id FROM entries WHERE client_id = $1 AND "
      "passenger_module = $2 AND source_system = k.s AND external_id = k.x OFFSET 0) AS e",
      {text(client_id), field(passenger_module), text(pg_text_array(sources)),
       text(pg_text_array(external_ids))});
  for (int i = 0; i < r.rows(); ++i) {
    DedupKey key{pg_unescape_text(r.text(i, 0)), pg_unescape_text(r.text(i, 1))};
    std::string id = r.text(i, 2);
    auto [it, inserted] = found.try_emplace(std::move(key), id);
    if (!inserted && id < it->second) it->second = std::move(id);
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
      {text(client_id), text(pg_text_array(ids))});
  for (int i = 0; i < r.rows(); ++i) found.insert(r.text(i, 0));
  return found;
}

}  // namespace databus
