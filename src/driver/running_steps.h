// RunningSteps: the mark a drive leaves in the store before it runs steps,
// so that the next drive knows which steps a crash (SIGKILL, a component that
// aborts the process) interrupted, and can count an attempt for the one that
// was running (docs/architecture.md "Interrupted steps"). Internal to the
// driver; kept as the client passenger state document kRunningStepsState.
//
// Steps run in groups of many entries whose outcomes are written together,
// so a mark naming the one entry running would cost a write per step.
// Instead the mark names the group by the span of its entries' pull times (a
// few bytes, however large the group); after a crash the entries pulled
// within it that are still due become suspects and run one at a time, each
// with a mark naming its step, until the crash repeats on one entry: that
// entry's step gets the attempt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "databus/time.h"

namespace databus {

inline constexpr const char* kRunningStepsState = "running_steps";

struct RunningSteps {
  enum class Phase { process, push };

  // Pull times, in microseconds since the epoch, both ends included.
  struct Span {
    std::int64_t first_us = 0;
    std::int64_t last_us = 0;
    // A span holding every time of `times`, widened by a millisecond on
    // each side so that a store keeping pull times to the microsecond
    // (rounded or cut) never leaves a group's entry outside. REQUIRES:
    // `times` not empty.
    static Span around(const std::vector<TimePoint>& times);
    bool contains(TimePoint t) const;
    bool operator==(const Span&) const = default;
  };

  Phase phase = Phase::process;
  // The pull times of the entries whose steps run as one group.
  std::optional<Span> group;
  // Entries that were in a group a crash interrupted and have yet to run
  // alone (internal ids). A mark of an earlier version named a group by
  // its ids ("group": [...]); those are read as suspects.
  std::vector<std::string> suspects;
  // The entry and the module of the one step running alone, if any.
  std::string entry;
  std::string module;

  // One line of JSON.
  std::string encode() const;
  // Throws std::invalid_argument naming the field when `text` is malformed.
  static RunningSteps decode(std::string_view text);

  bool operator==(const RunningSteps&) const = default;
};

}  // namespace databus
