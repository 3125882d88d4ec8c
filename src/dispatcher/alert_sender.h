// AlertSender: sends a client's alerts (alert_event.h) to its alert pushers,
// at most one per (client passenger, module, kind) per quiet period
// (docs/configuration.md "Alerts"; docs/architecture.md "Alerts").
//
// Alerts are pushed directly, best effort: they do not go through a queue,
// so a failing alert pusher is logged and the alert is not retried (the
// next event of its kind, after the quiet period, is sent again). What was
// sent when is kept in the store, in the client passenger state document
// kAlertsSentState, so a restart or another node of a cluster does not send
// it again within the quiet period.
//
// Thread-safety: send() may be called from several threads (drives of
// different client passengers, the stale check); the read, check and write
// of the record are serialised within the process.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "databus/client.h"
#include "databus/database.h"
#include "databus/factories.h"
#include "databus/log.h"
#include "dispatcher/alert_event.h"

namespace databus::dispatch {

// The client passenger state document of the alerts sent:
// {"<kind> <module>": "<ISO time of the last alert>", ...}.
inline constexpr char kAlertsSentState[] = "alerts_sent";
// Source of the log lines about alerts.
inline constexpr char kAlertsSource[] = "databus.alerts";

// How alerts name a process outside a cluster: its host name.
std::string this_host();

class AlertSender {
 public:
  // `factories` (its passenger and pusher makers) must outlive the sender;
  // pushers are made with `data_dir`; `node` names this process in alerts.
  AlertSender(const Factories& factories, std::filesystem::path data_dir, std::string node);

  // Sends an alert for each of `events` (all of client config.id) to each of
  // config.alerts.pushers, unless one of the same quiet key was sent to the
  // client passenger less than config.alerts.quiet_minutes before `now`.
  // Events of one (passenger, quiet key) become one alert (AlertEvent::more).
  // Reads and writes the record through `database` (a drive's fenced view,
  // or the dispatcher's). Never throws: what fails (a pusher, the record)
  // is written to `log`, and nothing else changes. Each pusher's own
  // timeout bounds how long it takes. Returns the number of alerts that
  // reached at least one pusher.
  int send(Database& database, const ClientConfig& config, const std::vector<AlertEvent>& events,
           Log& log, TimePoint now) noexcept;

  const std::string& node() const { return node_; }

 private:
  // Pushes `event` to every alert pusher; returns how many delivered it.
  int push(const ClientConfig& config, const AlertEvent& event, Log& log);

  const Factories& factories_;
  std::filesystem::path data_dir_;
  std::string node_;
  std::mutex record_mu_;  // Held from reading a record to writing it back.
};

}  // namespace databus::dispatch
