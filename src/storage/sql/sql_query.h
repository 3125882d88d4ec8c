// The SQL text of the queue queries (EntryQuery, database.h), shared by the
// SQLite and PostgreSQL engines, which differ only in the details a Dialect
// names. Values never enter the text: they travel as parameters.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "databus/database.h"

namespace databus::sql {

struct Dialect {
  bool numbered_parameters = false;  // "$1, $2" (PostgreSQL) or "?" (SQLite).
  std::string contains_function;     // f(haystack, needle) > 0: "instr" | "strpos".
  std::string no_limit;              // LIMIT value meaning none: "-1" | "ALL".
  // What the queries select from: a table, or tables joined, that has every
  // column of kEntryColumns and of the filters under its plain name.
  std::string entries_from;
  // When not empty, what the queries of incomplete entries only select from
  // instead (a table of the open entries first, whose order is the queries').
  std::string open_entries_from;
  // When not empty, what the drive's due queries (processing_due or
  // push_due with EntryQuery::due_by) select from instead: the open entries
  // found by their due time, so that those waiting or quarantined are not
  // read (the planner, left to itself, prefers the order of
  // open_entries_from and reads every open entry).
  std::string due_entries_from;
  // When not empty, what the unnotified query selects from instead.
  std::string unnotified_entries_from;
};

const Dialect& sqlite_dialect();
const Dialect& postgresql_dialect();

using Value = std::variant<std::string, std::int64_t>;

// A statement's text and its parameters in order.
struct Statement {
  std::string text;
  std::vector<Value> parameters;

  // Appends a parameter and returns its placeholder.
  std::string bind(const Dialect& dialect, Value value);
};

// The columns of the `entries` table, in the order entry_columns() lists and
// the queries below select them.
inline constexpr const char* kEntryColumns =
    "internal_id, external_id, source_system, passenger_module, puller_module, pull_time, "
    "notified, steps, log_guids";

// SELECT kEntryColumns of the entries `query` selects, for `client_id`, in
// its order, after offset and limit.
Statement select_entries(const Dialect& dialect, const std::string& client_id,
                         const EntryQuery& query);
// SELECT count(*) of the same entries, without offset and limit.
Statement count_entries(const Dialect& dialect, const std::string& client_id,
                        const EntryQuery& query);

}  // namespace databus::sql
