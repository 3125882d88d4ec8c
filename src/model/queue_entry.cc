#include "databus/queue_entry.h"

#include <algorithm>
#include <stdexcept>

namespace databus {
namespace {

bool all_complete(const std::vector<StepState>& steps) {
  return std::all_of(steps.begin(), steps.end(),
                     [](const StepState& s) { return s.status == StepStatus::complete; });
}

template <typename Steps>
auto find_step(Steps& steps, std::string_view module) -> decltype(&steps[0]) {
  for (auto& s : steps) {
    if (s.module == module) return &s;
  }
  return nullptr;
}

}  // namespace

std::string_view to_string(StepStatus status) {
  switch (status) {
    case StepStatus::undefined:
      return "undefined";
    case StepStatus::incomplete:
      return "incomplete";
    case StepStatus::complete:
      return "complete";
  }
  return "undefined";
}

StepStatus parse_step_status(std::string_view word) {
  if (word == "undefined") return StepStatus::undefined;
  if (word == "incomplete") return StepStatus::incomplete;
  if (word == "complete") return StepStatus::complete;
  throw std::invalid_argument("status must be 'undefined', 'incomplete' or 'complete', not '" +
                              std::string(word) + "'");
}

QueueEntry QueueEntry::seat(Passenger passenger, const std::vector<std::string>& processors,
                            const std::vector<std::string>& pushers) {
  QueueEntry entry;
  entry.passenger = std::move(passenger);
  for (const auto& m : processors) entry.processor_statuses.push_back({m, StepStatus::incomplete});
  for (const auto& m : pushers) entry.pusher_statuses.push_back({m, StepStatus::incomplete});
  return entry;
}

bool QueueEntry::complete() const {
  return puller_notified && all_complete(processor_statuses) && all_complete(pusher_statuses);
}

bool QueueEntry::processors_complete() const { return all_complete(processor_statuses); }

bool QueueEntry::has_incomplete_pusher() const { return !all_complete(pusher_statuses); }

StepState* QueueEntry::processor(std::string_view module) {
  return find_step(processor_statuses, module);
}
StepState* QueueEntry::pusher(std::string_view module) {
  return find_step(pusher_statuses, module);
}
const StepState* QueueEntry::processor(std::string_view module) const {
  return find_step(processor_statuses, module);
}
const StepState* QueueEntry::pusher(std::string_view module) const {
  return find_step(pusher_statuses, module);
}

void StepState::reset_failures() {
  attempts = 0;
  last_error.clear();
  next_attempt = TimePoint{};
  quarantined = false;
}

std::optional<TimePoint> QueueEntry::due_at() const {
  for (const StepState& s : processor_statuses) {
    if (s.status == StepStatus::complete) continue;
    if (s.quarantined) return std::nullopt;
    return s.next_attempt;
  }
  std::optional<TimePoint> earliest;
  for (const StepState& s : pusher_statuses) {
    if (s.status == StepStatus::complete || s.quarantined) continue;
    if (!earliest || s.next_attempt < *earliest) earliest = s.next_attempt;
  }
  return earliest;
}

bool QueueEntry::failing() const {
  const auto failed = [](const StepState& s) {
    return s.status != StepStatus::complete && !s.quarantined && s.attempts > 0;
  };
  return std::any_of(processor_statuses.begin(), processor_statuses.end(), failed) ||
         std::any_of(pusher_statuses.begin(), pusher_statuses.end(), failed);
}

bool QueueEntry::quarantined() const {
  const auto held = [](const StepState& s) {
    return s.status != StepStatus::complete && s.quarantined;
  };
  return std::any_of(processor_statuses.begin(), processor_statuses.end(), held) ||
         std::any_of(pusher_statuses.begin(), pusher_statuses.end(), held);
}

void QueueEntry::complete_all_steps() {
  for (auto& s : processor_statuses) s.status = StepStatus::complete;
  for (auto& s : pusher_statuses) s.status = StepStatus::complete;
}

}  // namespace databus
