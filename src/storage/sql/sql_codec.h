// How the SQL engines (SQLite, PostgreSQL) map the model onto table columns:
// the parts of a queue entry, a log and a time that have no column type of
// their own are kept as small JSON texts, and times as integer microseconds.
// Both engines use these functions, so that they store the same values and
// an export between them is exact.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "databus/log.h"
#include "databus/queue_entry.h"
#include "databus/time.h"

namespace databus::sql {

// Microseconds since the Unix epoch (UTC), rounded down: the precision of the
// ISO form the JSON DB keeps, so that every engine holds the same instant.
std::int64_t to_micros(TimePoint t);
TimePoint from_micros(std::int64_t micros);
// The bound for "stored time < t": stored times are rounded down to whole
// microseconds, and for a whole number p, p < t exactly when p < ceil(t).
std::int64_t ceil_micros(TimePoint t);

// The flag columns of an entry row, derived from its statuses; queries filter
// on them (see EntryFilter) so that no step status is parsed in a query.
struct EntryFlags {
  bool notified = false;
  bool processors_complete = false;
  bool pushers_complete = false;
  bool complete = false;

  static EntryFlags of(const QueueEntry& entry);
};

// The `steps` column: {"processors": [...], "pushers": [...]}, each item
// {"module", "status", "attempts", "last_error"}.
std::string encode_steps(const QueueEntry& entry);
// Fills entry.processor_statuses and entry.pusher_statuses. Throws
// std::invalid_argument naming the field when `text` is malformed.
void decode_steps(std::string_view text, QueueEntry& entry);

// The `log_guids` column: a JSON array of strings.
std::string encode_strings(const std::vector<std::string>& values);
// Throws std::invalid_argument when `text` is not such an array.
std::vector<std::string> decode_strings(std::string_view text);

// The `entries` column of a log row: a JSON array of
// [micros, source, type, message], exact (unlike the log file form, which
// folds line breaks in messages).
std::string encode_log_entries(const Log& log);
// Throws std::invalid_argument naming the entry when `text` is malformed.
Log decode_log(std::string guid, TimePoint created, std::string_view text);

}  // namespace databus::sql
