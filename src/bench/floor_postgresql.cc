// The PostgreSQL engine's floor (floor.h): the engine's tables as of schema
// 7 and later (pg_schema.cc), written with its connection class in COPY's
// text format.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "bench/floor_engines.h"
#include "storage/postgresql/pg_connection.h"

namespace databus::bench {
namespace {

// Rows are sent in chunks of about this many bytes.
constexpr std::size_t kCopyChunk = 4u << 20;

// One row of COPY's text format appended to `out`, a column per call, the
// line ended when the object dies.
class CopyRow {
 public:
  explicit CopyRow(std::string& out) : out_(out) {}
  ~CopyRow() { out_ += '\n'; }
  CopyRow(const CopyRow&) = delete;
  CopyRow& operator=(const CopyRow&) = delete;

  CopyRow& text(std::string_view text) {
    next();
    for (char c : text) {
      switch (c) {
        case '\\':
          out_ += "\\\\";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        default:
          out_ += c;
      }
    }
    return *this;
  }
  CopyRow& integer(std::optional<std::int64_t> value) {
    next();
    out_ += value ? std::to_string(*value) : "\\N";
    return *this;
  }
  // A bytea in hex (\\x..., the backslash escaped).
  CopyRow& bytea(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    next();
    out_ += "\\\\x";
    for (unsigned char b : bytes) {
      out_ += kHex[b >> 4];
      out_ += kHex[b & 15];
    }
    return *this;
  }

 private:
  void next() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// Sends the rows `row(entry, out)` makes for every entry, by COPY `sql`.
template <typename Row>
void copy_rows(PgConnection& c, const std::string& sql, std::span<const QueueEntry> entries,
               Row row) {
  std::size_t next = 0;
  c.copy_in(sql, [&](std::string& out) {
    while (next < entries.size() && out.size() < kCopyChunk) row(entries[next++], out);
    return next < entries.size();
  });
}

}  // namespace

double postgresql_floor(const FloorStore& store, std::span<QueueEntry> entries) {
  const FloorStatuses s = FloorStatuses::of(entries.front());
  PgPool pool(PgSettings::from_arguments(store.arguments), 1);

  const auto start = std::chrono::steady_clock::now();
  {
    PgTransaction tx(pool);
    copy_rows(tx.connection(),
              "COPY entries (client_id, internal_id, external_id, source_system, "
              "passenger_module, puller_module, pull_time, notified, processors_complete, "
              "pushers_complete, complete, steps, log_guids, due_at, failing, quarantined) FROM "
              "STDIN",
              entries, [&](const QueueEntry& e, std::string& out) {
                const Passenger& p = e.passenger;
                CopyRow(out)
                    .text(store.client_id)
                    .text(p.internal_id)
                    .text(p.external_id)
                    .text(p.source_system)
                    .text(p.passenger_module)
                    .text(p.puller_module)
                    .integer(sql::to_micros(p.pull_datetime))
                    .integer(s.seated.notified)
                    .integer(s.seated.processors_complete)
                    .integer(s.seated.pushers_complete)
                    .integer(s.seated.complete)
                    .text(s.seated_steps)
                    .text(s.log_guids)
                    .integer(s.seated.due_at)
                    .integer(0)
                    .integer(0);
              });
    copy_rows(tx.connection(),
              "COPY attachments (client_id, internal_id, position, name, format, content, "
              "full_name) FROM STDIN",
              entries, [&](const QueueEntry& e, std::string& out) {
                std::int64_t position = 0;
                for (const Attachment& a : e.passenger.attachments) {
                  CopyRow(out)
                      .text(store.client_id)
                      .text(e.passenger.internal_id)
                      .integer(position++)
                      .text(a.name)
                      .text(to_string(a.format))
                      .bytea(a.content)
                      .text(a.full_name);
                }
              });
    tx.commit();
  }
  {
    PgTransaction tx(pool);
    tx.run(
        "UPDATE entries SET processors_complete = 1, pushers_complete = 1, complete = 1, "
        "steps = $1, due_at = NULL WHERE client_id = $2",
        {{s.complete_steps}, {store.client_id}});
    tx.commit();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void drop_postgresql_schema(const DatabaseArguments& arguments) {
  const PgSettings settings = PgSettings::from_arguments(arguments);
  PgConnection connection(settings);
  connection.run("DROP SCHEMA IF EXISTS \"" + settings.schema + "\" CASCADE");
}

}  // namespace databus::bench
