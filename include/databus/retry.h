// Retry policy of the steps of a client passenger: how long a failed
// processor or pusher waits before it runs again, and after how many failed
// runs it is quarantined (docs/configuration.md "When things fail").
#pragma once

#include <optional>

#include "databus/time.h"

namespace databus {

// What a configuration says: "retry": {"max_attempts": A,
// "initial_delay_seconds": I, "max_delay_seconds": M}, on a client passenger
// or on one of its processors or pushers. An absent field takes the value of
// the level above (the component's from its passenger's, the passenger's from
// RetryPolicy's defaults).
struct RetrySettings {
  std::optional<int> max_attempts;
  std::optional<int> initial_delay_seconds;
  std::optional<int> max_delay_seconds;

  bool empty() const { return !max_attempts && !initial_delay_seconds && !max_delay_seconds; }
  bool operator==(const RetrySettings&) const = default;
};

// The policy in force for one step.
struct RetryPolicy {
  // Production defaults: 20 failed runs spread over about 14 hours (the
  // delays double from 30 s and stay at one hour once there).
  static constexpr int kDefaultMaxAttempts = 20;
  static constexpr int kDefaultInitialDelaySeconds = 30;
  static constexpr int kDefaultMaxDelaySeconds = 3600;
  // The share of a delay the jitter moves it by, either way.
  static constexpr double kJitter = 0.2;

  int max_attempts = kDefaultMaxAttempts;  // 0: never quarantined.
  int initial_delay_seconds = kDefaultInitialDelaySeconds;
  int max_delay_seconds = kDefaultMaxDelaySeconds;

  // This policy with the fields `settings` names replaced.
  RetryPolicy with(const RetrySettings& settings) const;

  // The wait after the `attempts`-th failed run (attempts >= 1):
  // min(max_delay, initial_delay × 2^(attempts−1)) × (1 + kJitter × jitter),
  // for `jitter` in [-1, 1] (a uniform random number in production).
  Clock::duration delay_after(int attempts, double jitter) const;

  // True when a step that has failed `attempts` times is quarantined.
  bool quarantines(int attempts) const { return max_attempts > 0 && attempts >= max_attempts; }

  bool operator==(const RetryPolicy&) const = default;
};

}  // namespace databus
