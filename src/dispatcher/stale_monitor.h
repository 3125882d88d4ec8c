// StaleMonitor: finds the pullers that turned stale while no drive noticed
// (docs/configuration.md "Puller health"): a puller is stale when it has not
// succeeded for its stale time, which happens also when no drive runs at
// all (a drive that hangs, a paused node, a schedule that never comes).
// The dispatcher's scheduler asks it at most every kPeriod.
//
// Thread-safety: none; one scheduler thread uses it.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "databus/client.h"
#include "databus/database.h"
#include "databus/observer.h"
#include "dispatcher/alert_event.h"

namespace databus::dispatch {

class StaleMonitor {
 public:
  // The time between two checks.
  static constexpr std::chrono::seconds kPeriod{30};

  // True when a check is due at `now` (the first one at once), and then
  // counts it as done.
  bool due(std::chrono::steady_clock::time_point now);

  // Reads the puller health of every client passenger of `configs` and
  // returns an event for each puller that is stale at `now` while the state
  // last seen was not: the state this monitor saw at its previous check,
  // else the state at the puller's last attempt (what the drive that made
  // it saw). Calls observer.puller_health_changed() for each. A record that
  // cannot be read is reported in the process log and skipped. `observer` must not
  // throw.
  std::vector<AlertEvent> check(Database& database, const std::vector<ClientConfig>& configs,
                                TimePoint now, DispatcherObserver& observer);

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // Client, passenger, puller.
  std::map<Key, PullerHealth::State> seen_;
  std::chrono::steady_clock::time_point last_check_{};
  bool checked_ = false;
};

}  // namespace databus::dispatch
