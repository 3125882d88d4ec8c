// "databus.puller.sql": rows of a query become passengers
// (docs/connectors.md, "SQL databases"; docs/architecture.md, "The
// transport algorithm" for when notify() runs).
//
// Each drive connects (connection_target(), the operator's rules), runs
// `query` with every `?` bound to the last tracked value (never pasted into
// the SQL text) and turns each row into a passenger: the row as the JSON
// object "row.json" (column name -> value; numbers, booleans, null, text,
// timestamps as "YYYY-MM-DDTHH:MM:SS.ffffff"), each non-null binary column
// as the attachment "<column>.bin", external id the value of
// `external_id_column`. With `group_rows`, consecutive rows sharing the
// external id make one passenger whose "rows.json" is their array.
//
// Incremental reads: with `tracking_column` set, the greatest value of that
// column among the seated passengers is kept with the client passenger in
// the store (DriveContext::write_state) by notify(), i.e. only once they are
// durably queued: a crash between fetch and seat reads the same rows again
// (the queue drops repeats by external id) and never skips one. The query
// is given that value minus `grace` (ids for an integer column, seconds for
// a timestamp), so rows committed late with a slightly lower value are still
// read; the repeats among them are dropped by external id. Before any value
// is kept, `initial_value` is bound (digits: an integer; an ISO date-time: a
// timestamp; else text).
//
// Memory: at most `max_rows` new rows (tracking value above the kept one)
// are taken per drive, fetched from the driver `batch_rows` at a time; the
// query must then ORDER BY the tracking column, which pull_into() checks
// (rows out of order throw). The rest comes at the next drive; with
// `group_rows` a group the limit would cut is left whole for the next drive.
//
// Streaming: pull_into() hands each passenger over as soon as its rows are
// read (a group: when the next external id comes), while the cursor stays
// open, so notify() may run for the passengers before it and advance the
// tracked value to what is seated so far (never past a passenger not yet
// handed over). It stops at PassengerSink::done() or a shutdown: a
// passenger being built then is read again at the next drive. peek() gives
// the first kPeekLimit (components/peek.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "components/sql/connection_string.h"
#include "databus/puller.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kSqlPullerModule[] = "databus.puller.sql";

class SqlPuller : public Puller {
 public:
  // Throws ConfigError naming the setting for a bad value.
  explicit SqlPuller(const ComponentEnv& env);
  void pull_into(DriveContext& ctx, PassengerSink& sink) override;
  std::vector<Passenger> peek(DriveContext& ctx) override;
  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override;

  // The name of the state document this puller keeps its tracked value in:
  // "sql_puller." and a digest of query and tracking column, so a changed
  // query starts over.
  const std::string& state_name() const { return state_name_; }

 private:
  std::string module_;
  sql::ConnectionTarget target_;
  std::string query_;
  std::string tracking_column_;  // Empty: no incremental reads.
  std::string external_id_column_;
  std::string source_system_;
  std::string initial_value_;
  double grace_ = 0;
  std::int64_t max_rows_ = 0;
  bool group_rows_ = false;
  int login_timeout_seconds_ = 30;
  std::string state_name_;
};

ComponentSpec sql_puller_spec();

namespace sql_internal {

// The tracked value as kept in the store: {"value": ..., "kind": "integer" |
// "timestamp" | "text"}. Values compare by kind (numbers, then text, which
// orders the fixed-width timestamps too).
struct Tracked {
  std::string kind;  // "integer", "timestamp" or "text".
  nlohmann::json value;
};
Tracked tracked_of(const nlohmann::json& value);
bool tracked_less(const Tracked& a, const Tracked& b);
// `t` less `grace` (ids or seconds); text is kept as it is.
Tracked minus_grace(const Tracked& t, double grace);

}  // namespace sql_internal

}  // namespace databus
