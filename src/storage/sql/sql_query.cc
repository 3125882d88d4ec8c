#include "storage/sql/sql_query.h"

#include <algorithm>

#include "storage/sql/sql_codec.h"

namespace databus::sql {
namespace {

// Whether `q` is a due query of a drive (EntryQuery::due_by).
bool due_query(const EntryQuery& q) {
  return q.due_by && (q.filter == EntryFilter::processing_due || q.filter == EntryFilter::push_due);
}

// Which of a due query's entries a WHERE clause selects: all of them, or
// one arm of the split query (select_entries()): those due at once (due_at
// 0: no step has failed, or a person retried it) or those whose next
// attempt came (due_at > 0). EntryFlags stores no due time below 0.
enum class DueArm { all, at_once, came };

// The WHERE clause shared by select and count.
std::string where(const Dialect& d, Statement& s, const std::string& client_id, const EntryQuery& q,
                  DueArm arm = DueArm::all) {
  std::string w = " WHERE client_id = " + s.bind(d, client_id);
  if (!q.passenger_module.empty()) w += " AND passenger_module = " + s.bind(d, q.passenger_module);
  if (!q.puller_module.empty()) w += " AND puller_module = " + s.bind(d, q.puller_module);
  if (q.pulled_before) {
    w += " AND pull_time < " + s.bind(d, ceil_micros(*q.pulled_before));
  }
  if (q.after) {
    // A row value: both engines walk their (…, pull_time, internal_id)
    // indexes from it.
    // The operands of + are unsequenced: bound one statement after the other.
    w += std::string(" AND (pull_time, internal_id) ") + (q.newest_first ? "<" : ">") + " (";
    w += s.bind(d, to_micros(q.after->pull_datetime));
    w += ", " + s.bind(d, q.after->internal_id) + ")";
  }
  // Every filter but `all` and `complete` selects incomplete entries only;
  // saying so lets the (client, module, complete, pull_time) index serve it.
  switch (q.filter) {
    case EntryFilter::all:
      break;
    case EntryFilter::unnotified:
      w += " AND complete = 0 AND notified = 0";
      break;
    case EntryFilter::processing_due:
      w += " AND complete = 0 AND processors_complete = 0";
      break;
    case EntryFilter::push_due:
      w += " AND complete = 0 AND processors_complete = 1 AND pushers_complete = 0";
      break;
    case EntryFilter::incomplete:
      w += " AND complete = 0";
      break;
    case EntryFilter::complete:
      w += " AND complete = 1";
      break;
    case EntryFilter::failing:
      w += " AND complete = 0 AND failing = 1";
      break;
    case EntryFilter::waiting:
      // due_at is NULL when no step may run by itself.
      w += " AND complete = 0 AND failing = 1 AND (due_at IS NULL OR due_at > " +
           s.bind(d, to_micros(q.due_by.value_or(Clock::now()))) + ")";
      break;
    case EntryFilter::quarantined:
      w += " AND complete = 0 AND quarantined = 1";
      break;
  }
  if (due_query(q)) {
    if (arm == DueArm::at_once) {
      w += " AND due_at = 0";
    } else {
      if (arm == DueArm::came) w += " AND due_at > 0";
      w += " AND due_at <= " + s.bind(d, to_micros(*q.due_by));
    }
  }
  if (!q.search.empty()) {
    // One parameter per use: "?" placeholders are numbered by position.
    const std::string& f = d.contains_function;
    w += " AND (" + f + "(external_id, " + s.bind(d, q.search) + ") > 0 OR " + f +
         "(source_system, " + s.bind(d, q.search) + ") > 0 OR " + f + "(internal_id, " +
         s.bind(d, q.search) + ") > 0)";
  }
  return w;
}

// Whether `filter` selects incomplete entries only.
bool open_only(EntryFilter filter) {
  switch (filter) {
    case EntryFilter::unnotified:
    case EntryFilter::processing_due:
    case EntryFilter::push_due:
    case EntryFilter::incomplete:
    case EntryFilter::failing:
    case EntryFilter::waiting:
    case EntryFilter::quarantined:
      return true;
    case EntryFilter::all:
    case EntryFilter::complete:
      return false;
  }
  return false;
}

const std::string& from(const Dialect& d, const EntryQuery& q) {
  if (due_query(q) && !d.due_entries_from.empty()) return d.due_entries_from;
  if (q.filter == EntryFilter::unnotified && !d.unnotified_entries_from.empty()) {
    return d.unnotified_entries_from;
  }
  return open_only(q.filter) && !d.open_entries_from.empty() ? d.open_entries_from : d.entries_from;
}

}  // namespace

const Dialect& sqlite_dialect() {
  // Schema 3 keeps the status columns in a table of their own and lists the
  // incomplete entries in `entry_open` (sqlite_schema.cc). USING makes the
  // shared columns one, taken from the table on the left, so the filters on
  // client and passenger type apply to entry_open's primary key. Schema 6
  // indexes entry_open by due time, which the due queries must read, and
  // the unnotified entries in a partial index of their own, read first
  // (CROSS JOIN: left to itself, SQLite walked every entry of the client
  // and probed that index).
  static const Dialect d{
      false,
      "instr",
      "-1",
      "entries LEFT JOIN entry_statuses USING (entry)",
      "entry_open JOIN entries USING (entry, client_id, passenger_module, pull_time, "
      "internal_id) LEFT JOIN entry_statuses USING (entry)",
      "entry_open INDEXED BY entry_open_due JOIN entries USING (entry, client_id, "
      "passenger_module, pull_time, internal_id) LEFT JOIN entry_statuses USING (entry)",
      "entry_statuses INDEXED BY entry_statuses_unnotified CROSS JOIN entries USING (entry)"};
  return d;
}

const Dialect& postgresql_dialect() {
  static const Dialect d{true, "strpos", "ALL", "entries", "", "", ""};
  return d;
}

std::string Statement::bind(const Dialect& dialect, Value value) {
  parameters.push_back(std::move(value));
  return dialect.numbered_parameters ? "$" + std::to_string(parameters.size()) : "?";
}

Statement select_entries(const Dialect& d, const std::string& client_id, const EntryQuery& q) {
  Statement s;
  const std::string select = std::string("SELECT ") + kEntryColumns + " FROM " + from(d, q);
  if (due_query(q) && !d.due_entries_from.empty()) {
    // Two arms, merged in order: those due at once, most of a drive's,
    // which the due index (client, type, due time, then entry_open's
    // primary key: pull time, internal id) yields in the query's order, so
    // that they are not sorted (docs/performance.md, "Issue 15's W1
    // regression, found"); and those whose next attempt came, few, sorted
    // apart.
    // One statement after the other: each binds its parameters in turn.
    s.text = select + where(d, s, client_id, q, DueArm::at_once);
    s.text += " UNION ALL " + select;
    s.text += where(d, s, client_id, q, DueArm::came);
  } else {
    s.text = select + where(d, s, client_id, q);
  }
  const char* order = q.newest_first ? " DESC" : "";
  s.text += std::string(" ORDER BY pull_time") + order + ", internal_id" + order;
  s.text += " LIMIT ";
  // Counts beyond int64 mean "no limit"; a huge offset selects nothing.
  constexpr std::size_t kMax = static_cast<std::size_t>(INT64_MAX);
  s.text += q.limit >= kMax ? d.no_limit : std::to_string(q.limit);
  s.text += " OFFSET " + std::to_string(std::min(q.offset, kMax));
  return s;
}

Statement count_entries(const Dialect& d, const std::string& client_id, const EntryQuery& q) {
  Statement s;
  s.text = "SELECT count(*) FROM " + from(d, q) + where(d, s, client_id, q);
  return s;
}

}  // namespace databus::sql
