// Puller health: how the pulls of each puller of a client passenger have gone
// lately (docs/configuration.md "When things fail"). The drive records every
// pull; the web interface, the health API and the alerts read it. Kept with
// the client passenger in the store (Database::read_passenger_state(), under
// kPullerHealthState), so it survives a restart and is shared by a cluster.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "databus/time.h"

namespace databus {

// The name of the passenger state document that holds the health of a
// client passenger's pullers.
inline constexpr const char* kPullerHealthState = "puller_health";

struct PullerHealth {
  // A puller is failing after this many failed pulls in a row.
  static constexpr int kFailingAfter = 3;
  // A puller is stale when it has not succeeded for max(kStaleIntervals
  // schedule intervals, kStaleAtLeast).
  static constexpr int kStaleIntervals = 3;
  static constexpr Clock::duration kStaleAtLeast = std::chrono::minutes(5);

  enum class State {
    unknown,  // Never pulled yet.
    ok,
    failing,  // kFailingAfter or more failed pulls in a row.
    stale,    // No success for the stale time (and not failing).
  };

  TimePoint last_attempt{};
  TimePoint last_success{};  // The epoch when it never succeeded.
  int consecutive_failures = 0;
  TimePoint first_failure{};  // Of the failures in a row; the epoch with none.
  std::string last_error;     // Of the latest failure; kept after a success.

  // The state at `now` for a passenger driven every `interval`.
  State state(TimePoint now, Clock::duration interval) const;

  // Records a pull at `at`: a success when `error` is empty.
  void record(TimePoint at, const std::string& error);

  bool operator==(const PullerHealth&) const = default;
};

// "unknown" | "ok" | "failing" | "stale".
std::string_view to_string(PullerHealth::State state);

// The health of each puller of a client passenger, by puller module.
using PullerHealthMap = std::map<std::string, PullerHealth>;

// The document's JSON form: {"<module>": {"last_attempt": ISO, "last_success":
// ISO, "first_failure": ISO, "consecutive_failures": n, "last_error": "..."}}
// (times null when unset). decode throws
// std::invalid_argument naming the field when `text` is malformed.
std::string encode_puller_health(const PullerHealthMap& health);
PullerHealthMap decode_puller_health(std::string_view text);

}  // namespace databus
