// Queue entry: a passenger plus its transport state (docs/architecture.md "Concepts").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "databus/passenger.h"
#include "databus/time.h"

namespace databus {

enum class StepStatus { undefined, incomplete, complete };

// "undefined" | "incomplete" | "complete".
std::string_view to_string(StepStatus status);
// Throws std::invalid_argument for any other word.
StepStatus parse_step_status(std::string_view word);

// The state of one processor or pusher for one entry. `attempts` counts failed
// runs and `last_error` holds the latest failure's message; `next_attempt` is
// when a failed step is due again (the retry policy's backoff, retry.h) and
// `quarantined` marks a step that failed as often as the policy allows: it
// never runs by itself again until a person retries it. All four are absent
// in files written by the original (read as 0 / empty / due / not
// quarantined) and reset on success.
struct StepState {
  std::string module;
  StepStatus status = StepStatus::incomplete;
  int attempts = 0;
  std::string last_error;
  TimePoint next_attempt{};  // The epoch: due at once.
  bool quarantined = false;

  // True when the step has yet to run and may run by itself at `now`.
  bool due(TimePoint now) const {
    return status != StepStatus::complete && !quarantined && next_attempt <= now;
  }
  // Forgets the failures: due at once, not quarantined, no attempts.
  void reset_failures();

  bool operator==(const StepState&) const = default;
};

// A value type. Processors and pushers receive a QueueEntry& and may change any
// of its statuses (a filter marks its pushers complete so nothing is pushed).
struct QueueEntry {
  Passenger passenger;
  bool puller_notified = false;
  std::vector<StepState> processor_statuses;  // One per processor module, config order.
  std::vector<StepState> pusher_statuses;     // One per pusher module, config order.

  // Builds a fresh entry: not notified, every step `incomplete`.
  static QueueEntry seat(Passenger passenger, const std::vector<std::string>& processors,
                         const std::vector<std::string>& pushers);

  // True when notified and every processor and pusher is complete.
  bool complete() const;
  // True when every processor is complete (vacuously true with none).
  bool processors_complete() const;
  // True when some processor is not complete.
  bool has_incomplete_processor() const { return !processors_complete(); }
  // True when some pusher is not complete.
  bool has_incomplete_pusher() const;

  // The state of `module`, or nullptr when the entry has no such step.
  StepState* processor(std::string_view module);
  StepState* pusher(std::string_view module);
  const StepState* processor(std::string_view module) const;
  const StepState* pusher(std::string_view module) const;

  // When a drive has work for this entry: the next attempt of the first
  // incomplete processor, or, with every processor complete, the earliest
  // next attempt of an incomplete pusher; nullopt when nothing may run by
  // itself (complete, or held by a quarantined step: a quarantined
  // processor holds the steps after it). Engines index it, so that a drive
  // reads only the entries that are due (EntryQuery::due_by).
  std::optional<TimePoint> due_at() const;
  // True when some incomplete step has failed and is not quarantined: it is
  // retried when due.
  bool failing() const;
  // True when some incomplete step is quarantined.
  bool quarantined() const;

  // Sets every pusher (and processor) status to complete: what a filter does
  // with a passenger that must never be pushed.
  void complete_all_steps();

  bool operator==(const QueueEntry&) const = default;
};

}  // namespace databus
