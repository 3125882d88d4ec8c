// How the SQL engines (SQLite, PostgreSQL) map the model onto table columns:
// the parts of a queue entry, a log and a time that have no column type of
// their own are kept as small JSON texts, and times as integer microseconds.
// Both engines use these functions, so that they store the same values and
// an export between them is exact.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
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
  // QueueEntry::due_at() in microseconds; none: nothing may run by itself.
  std::optional<std::int64_t> due_at;
  bool failing = false;      // QueueEntry::failing()
  bool quarantined = false;  // QueueEntry::quarantined()

  static EntryFlags of(const QueueEntry& entry);
};

// The `steps` column (schema version 2): kCompactStepsMark, then per step
// "<kind><status><attempts>:<length>:<module><length>:<last error>" with
// kind 'p' (processor) or 'q' (pusher), status 'u' | 'i' | 'c', processors
// first, each kind in config order. A step with a next attempt or
// quarantined (StepState) has its kind in capitals ('P', 'Q') and
// "<next attempt micros>:<0|1 quarantined>:" after its attempts. Cheap to write and read (it is
// written at every status change), and storable in any text column: a NUL or an invalid UTF-8 byte
// of a module name or error message becomes U+FFFD.
inline constexpr char kCompactStepsMark = 'S';
std::string encode_steps(const QueueEntry& entry);
// Fills entry.processor_statuses and entry.pusher_statuses from the compact
// form or from the JSON form of schema version 1 ({"processors": [...],
// "pushers": [...]}, items {"module", "status", "attempts", "last_error"}).
// Throws std::invalid_argument naming the field when `text` is malformed.
void decode_steps(std::string_view text, QueueEntry& entry);

// The `log_guids` column: the values joined with ',' when each is a plain
// GUID ([0-9A-Za-z_.-]+), otherwise (and in schema version 1) a JSON array.
std::string encode_strings(const std::vector<std::string>& values);
// Reads either form. Throws std::invalid_argument for a malformed JSON form.
std::vector<std::string> decode_strings(std::string_view text);

// The `log_guids` column of a passenger: encode_strings(log_guids), preceded
// by "#<log_guids_dropped>," when that count is not 0 ('#' starts neither
// form, so rows written before the count existed read unchanged).
std::string encode_log_guids(const Passenger& passenger);
// Fills passenger.log_guids and passenger.log_guids_dropped. Throws
// std::invalid_argument naming the column when `text` is malformed.
void decode_log_guids(std::string_view text, Passenger& passenger);

// The `entries` column of a log row: a JSON array of
// [micros, source, type, message], exact (unlike the log file form, which
// folds line breaks in messages).
std::string encode_log_entries(const Log& log);
// Throws std::invalid_argument naming the entry when `text` is malformed.
Log decode_log(std::string guid, TimePoint created, std::string_view text);

}  // namespace databus::sql
