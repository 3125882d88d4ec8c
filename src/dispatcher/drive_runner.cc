#include "dispatcher/drive_runner.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>

#include "databus/driver.h"
#include "databus/queue.h"
#include "databus/time.h"
#include "dispatcher/alert_collector.h"
#include "dispatcher/lane_queue.h"
#include "logging/process_log.h"

namespace databus::dispatch {
namespace {

void report(const std::string& client_id, const std::string& passenger, const std::string& what,
            const char* error) {
  process_log::warning("dispatcher", {.client = client_id, .passenger = passenger})
      << "client '" << client_id << "', passenger '" << passenger << "': " << what << ": " << error;
}

// Runs `f`, reporting any exception as a failure of `what`.
template <typename F>
void reported(const std::string& client_id, const std::string& passenger, const std::string& what,
              F&& f) noexcept {
  try {
    f();
  } catch (const std::exception& e) {
    report(client_id, passenger, what, e.what());
  } catch (...) {
    report(client_id, passenger, what, "unknown exception");
  }
}

}  // namespace

void write_log_reported(const DriveEnv& env, const std::string& client_id,
                        const std::string& passenger, const Log& log) noexcept {
  if (env.log_spool != nullptr) {
    env.log_spool->store(*env.database, client_id, log);  // Never throws.
    return;
  }
  reported(client_id, passenger, "cannot store the log " + log.guid(),
           [&] { env.database->write_log(client_id, log); });
}

Log run_drive(const DriveEnv& env, Lane& lane, const std::string& client_id, int log_life_span,
              const ClientPassenger& passenger,
              const std::optional<HostDelegation>& host_delegation) {
  std::optional<Log> inbox_log;
  {
    std::lock_guard seat(lane.seat_door);
    inbox_log.swap(lane.inbox_log);
  }
  if (inbox_log) write_log_reported(env, client_id, passenger.name, *inbox_log);

  // The drive's queues seat through the lane's seat door.
  Factories factories = *env.factories;
  factories.queue = [inner = env.factories->queue, &lane](const std::string& module,
                                                          const QueueEnv& queue_env) {
    std::unique_ptr<Queue> queue = inner(module, queue_env);
    if (!queue) return queue;
    return std::unique_ptr<Queue>(std::make_unique<LaneQueue>(std::move(queue), lane.seat_door));
  };

  Log log;
  if (env.tail != nullptr) {
    log.set_line_listener([&env, &client_id, &passenger, &log](const LogEntry& entry) {
      env.tail->add(client_id, passenger.name, log.guid(), entry);
    });
  }
  const FlowCounts flow_before =
      env.metrics ? env.metrics->flow_totals(client_id, passenger.name) : FlowCounts{};
  const auto started = std::chrono::steady_clock::now();
  env.observer->drive_started(client_id, passenger.name);
  AlertCollector collector(*env.observer);
  try {
    std::unique_ptr<Driver> driver = env.factories->driver(env.driver_module);
    if (!driver)
      throw std::runtime_error("driver factory returned nothing for " + env.driver_module);
    DriveRequest request;
    request.client_id = client_id;
    request.passenger = passenger;
    request.database = env.database;
    request.factories = &factories;
    request.log = &log;
    request.observer = &collector;
    request.stop = env.stop;
    request.data_dir = env.data_dir;
    request.spool = env.spool;
    request.host_delegation = host_delegation;
    request.stop_requested = env.stop_requested;
    driver->drive(request);
  } catch (const std::exception& e) {
    log.error(kDispatcherSource, "drive of " + passenger.name + " failed: " + e.what());
  } catch (...) {
    log.error(kDispatcherSource, "drive of " + passenger.name + " failed: unknown exception");
  }
  if (env.stop_requested && env.stop_requested()) {
    log.error(kDispatcherSource,
              "this node lost its lease on passenger " + passenger.name +
                  " during the drive (not renewed in time, or taken over by another node): the "
                  "drive stopped, and what it did not finish is done by the lease's next holder");
  }
  if (env.alerts != nullptr && !collector.events().empty()) {
    // After the steps, so an alert pusher slows no step of the drive; its
    // failures go to the drive's log.
    try {
      const ClientConfig config = env.database->load_client(client_id);
      env.alerts->send(*env.database, config, collector.events(), log, Clock::now());
    } catch (const std::exception& e) {
      log.warning(kAlertsSource, std::string("cannot send this drive's alerts: ") + e.what());
    }
  }
  write_log_reported(env, client_id, passenger.name, log);
  env.observer->drive_passenger_complete(client_id, passenger.name, log);
  if (env.metrics != nullptr) {
    // This drive's part of the node's counts: drives of one client
    // passenger run one at a time (its lane).
    FlowCounts flow = env.metrics->flow_totals(client_id, passenger.name);
    flow.pulled -= flow_before.pulled;
    flow.pushed -= flow_before.pushed;
    flow.failed -= flow_before.failed;
    flow.drives = 1;
    flow.drive_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    reported(client_id, passenger.name, "cannot add to the flow history",
             [&] { env.database->add_flow_counts(client_id, passenger.name, Clock::now(), flow); });
  }
  purge_after_drive(env, client_id, log_life_span, passenger, log);
  log.set_line_listener({});
  return log;
}

void purge_after_drive(const DriveEnv& env, const std::string& client_id, int log_life_span,
                       const ClientPassenger& passenger, const Log& keep) {
  const TimePoint now = Clock::now();
  const TimePoint logs_before = std::min(now - days(log_life_span), keep.created());
  reported(client_id, passenger.name, "cannot purge old logs",
           [&] { env.database->delete_logs_before(client_id, logs_before); });
  reported(client_id, passenger.name, "cannot purge old customizing backups",
           [&] { env.database->delete_backups_before(client_id, now - days(log_life_span)); });
  reported(client_id, passenger.name, "cannot purge the flow history", [&] {
    env.database->delete_flow_counts_before(client_id, passenger.name,
                                            now - days(env.flow_history_days));
  });
  reported(client_id, passenger.name, "cannot purge completed queue entries", [&] {
    QueueEnv queue_env{env.database, client_id, passenger};
    std::unique_ptr<Queue> queue = env.factories->queue(passenger.queue.module, queue_env);
    if (queue) queue->purge_complete(now - days(passenger.queue_life_span));
  });
}

}  // namespace databus::dispatch
