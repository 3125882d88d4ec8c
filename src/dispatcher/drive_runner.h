// One drive as the dispatcher runs it (docs/architecture.md "The transport algorithm"): a new log,
// the observer's drive_started, the driver, the alerts of its events
// (docs/architecture.md "Alerts"), the log stored, the observer's
// drive_passenger_complete, then the purges of old logs, old customizing
// backups and old completed queue entries.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "databus/client.h"
#include "databus/database.h"
#include "databus/factories.h"
#include "databus/log.h"
#include "databus/node_metrics.h"
#include "databus/observer.h"
#include "dispatcher/alert_sender.h"
#include "dispatcher/lanes.h"
#include "dispatcher/live_tail.h"
#include "dispatcher/log_spool.h"

namespace databus::dispatch {

// Source of the log entries the dispatcher itself writes.
inline constexpr char kDispatcherSource[] = "databus.dispatcher";

// What every drive shares. Pointers are non-null and outlive the drives.
struct DriveEnv {
  Database* database = nullptr;
  const Factories* factories = nullptr;
  DispatcherObserver* observer = nullptr;  // Must not throw (a SafeObserver).
  const std::atomic<bool>* stop = nullptr;
  std::string driver_module;
  std::filesystem::path data_dir;
  SpoolSettings spool;  // DriveRequest::spool.
  // Keeps a log the store cannot take, for a later drive. Null: such a log
  // is only reported.
  LogSpool* log_spool = nullptr;
  // DriveRequest::stop_requested of the drive (a cluster's lease: lost or
  // about to end); may be empty. A drive it stopped says so in its log.
  std::function<bool()> stop_requested;
  // Sends the alerts of the drive's events after its steps, to the pushers
  // of the client's "alerts" (alert_sender.h). Null: no alerts.
  AlertSender* alerts = nullptr;
  // The node's metrics: what a drive added to them is added to the store's
  // flow history (database.h "Flow history") after it. Null: no history.
  const NodeMetrics* metrics = nullptr;
  // Told every line of the drive's log as it is written. Null: none.
  LiveTail* tail = nullptr;
  // Days the flow history is kept (DispatcherTicket::flow_history_days).
  int flow_history_days = 7;
};

// Runs one drive of `passenger` for client `client_id`, whose logs live
// `log_life_span` days, through its lane, whose queue door the caller holds:
// the lane's pending inbox log is written first, and the drive's queues seat
// through the lane's seat door. Never throws: a failure of the driver is written to
// the log, a log the store cannot take is kept by env.log_spool (and written
// at a later drive), a failure to purge is reported in the process log.
// `host_delegation` is the client's host_access, re-checked when components
// are made (docs/security.md, "Host access"). Returns the drive's log.
Log run_drive(const DriveEnv& env, Lane& lane, const std::string& client_id, int log_life_span,
              const ClientPassenger& passenger,
              const std::optional<HostDelegation>& host_delegation = std::nullopt);

// Writes `log` of a client; one the store cannot take is kept by
// env.log_spool (reported in the process log without one).
void write_log_reported(const DriveEnv& env, const std::string& client_id,
                        const std::string& passenger, const Log& log) noexcept;

// Deletes the client's logs and customizing backups older than
// `log_life_span` days, the passenger type's complete entries pulled more
// than its queue_life_span days ago and its flow history older than
// env.flow_history_days. `keep` (the drive's own log) is never
// deleted, even with a life span of 0. Reports failures in the process log.
void purge_after_drive(const DriveEnv& env, const std::string& client_id, int log_life_span,
                       const ClientPassenger& passenger, const Log& keep);

}  // namespace databus::dispatch
