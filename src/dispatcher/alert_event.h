// AlertEvent: what an alert tells (docs/configuration.md "Alerts"), and the
// alert passenger that carries it to a client's alert pushers.
#pragma once

#include <string>
#include <string_view>

#include "databus/passenger.h"
#include "databus/puller_health.h"
#include "databus/time.h"

namespace databus::dispatch {

enum class AlertKind {
  step_quarantined,  // A processor or pusher failed its last attempt.
  puller_failing,    // A puller failed PullerHealth::kFailingAfter pulls in a row.
  puller_stale,      // A puller has not succeeded for its stale time.
  puller_recovered,  // A failing or stale puller succeeded again.
};

// "step_quarantined" | "puller_failing" | "puller_stale" | "puller_recovered".
std::string_view to_string(AlertKind kind);

struct AlertEvent {
  AlertKind kind = AlertKind::step_quarantined;
  std::string client_id;
  std::string passenger;  // The client passenger (passenger module).
  std::string module;     // The quarantined step, or the puller.
  std::string error;      // The step's or the puller's last error; may be empty.
  int attempts = 0;       // Failed runs of the step, or failed pulls in a row.
  // step_quarantined: the entry's ids.
  std::string entry_internal_id;
  std::string entry_external_id;
  // Puller kinds: the health state before, and the last success (the epoch
  // when never).
  PullerHealth::State was = PullerHealth::State::unknown;
  TimePoint last_success{};
  TimePoint at{};  // When it happened.
  // Further events of the same (passenger, module, kind) this alert stands
  // for (several entries quarantined by one drive).
  int more = 0;

  // The quiet-period key within the client passenger: "<kind> <module>".
  std::string quiet_key() const;
  // The one or two lines of alert.txt.
  std::string text() const;
};

// An alert passenger (kAlertPassengerModule) for `event`: a new internal id,
// source system "DATABUS", a unique external id
// "<kind> <module> <internal id>", pulled now by "databus.dispatcher", with
// alert.txt (event.text()) and alert.json (kind, client, passenger, module,
// entry, error, attempts, time, node, ...). `node` names the process that
// sends it.
Passenger alert_passenger(const AlertEvent& event, const std::string& node);

}  // namespace databus::dispatch
