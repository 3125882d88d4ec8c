#include "databus/node_metrics.h"

#include "databus/queue_entry.h"

namespace databus {

NodeMetrics::NodeMetrics() { counts_.started = Clock::now(); }

NodeMetrics::Snapshot NodeMetrics::snapshot() const {
  std::lock_guard lock(mu_);
  return counts_;
}

FlowCounts NodeMetrics::flow_totals(const std::string& client_id,
                                    const std::string& passenger) const {
  FlowCounts out;
  std::lock_guard lock(mu_);
  for (auto it = counts_.steps.lower_bound(StepKey{client_id, passenger, ""});
       it != counts_.steps.end() && std::get<0>(it->first) == client_id &&
       std::get<1>(it->first) == passenger;
       ++it) {
    out.pulled += static_cast<std::int64_t>(it->second.pulled);
    out.pushed += static_cast<std::int64_t>(it->second.pushed);
    out.failed += static_cast<std::int64_t>(it->second.failed);
  }
  return out;
}

StepCounters& NodeMetrics::step_locked(const std::string& client_id, const std::string& passenger,
                                       const std::string& module) {
  return counts_.steps[StepKey{client_id, passenger, module}];
}

void NodeMetrics::drive_started(const std::string& client_id, const std::string& passenger) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  running_[PassengerKey{client_id, passenger}] = now;
}

void NodeMetrics::drive_passenger_complete(const std::string& client_id,
                                           const std::string& passenger, const Log& log) {
  const auto now = std::chrono::steady_clock::now();
  const LogType worst = log.worst_type();
  std::lock_guard lock(mu_);
  DriveCounters& drives = counts_.drives[PassengerKey{client_id, passenger}];
  switch (worst) {
    case LogType::info:
      ++drives.ok;
      break;
    case LogType::warning:
      ++drives.warning;
      break;
    case LogType::error:
      ++drives.error;
      break;
  }
  const auto started = running_.find(PassengerKey{client_id, passenger});
  if (started == running_.end()) return;  // No drive_started: no duration.
  const double seconds = std::chrono::duration<double>(now - started->second).count();
  running_.erase(started);
  ++drives.timed;
  drives.seconds_sum += seconds;
  for (std::size_t i = 0; i < kDriveDurationBuckets.size(); ++i) {
    if (seconds <= kDriveDurationBuckets[i]) ++drives.buckets[i];
  }
}

void NodeMetrics::passengers_pulled(const std::string& client_id, const std::string& passenger,
                                    const std::string& puller, std::size_t count) {
  std::lock_guard lock(mu_);
  step_locked(client_id, passenger, puller).pulled += count;
}

void NodeMetrics::passenger_seated(const std::string& client_id, const QueueEntry& entry) {
  std::lock_guard lock(mu_);
  ++step_locked(client_id, entry.passenger.passenger_module, entry.passenger.puller_module).seated;
}

void NodeMetrics::passenger_processed(const std::string& client_id, const QueueEntry& entry,
                                      const std::string& processor) {
  std::lock_guard lock(mu_);
  ++step_locked(client_id, entry.passenger.passenger_module, processor).processed;
}

void NodeMetrics::passenger_pushed(const std::string& client_id, const QueueEntry& entry,
                                   const std::string& pusher) {
  std::lock_guard lock(mu_);
  ++step_locked(client_id, entry.passenger.passenger_module, pusher).pushed;
}

void NodeMetrics::step_failed(const std::string& client_id, const std::string& passenger,
                              const std::string& module, const QueueEntry*, const std::string&) {
  std::lock_guard lock(mu_);
  ++step_locked(client_id, passenger, module).failed;
}

void NodeMetrics::step_quarantined(const std::string& client_id, const std::string& passenger,
                                   const std::string& module, const QueueEntry&,
                                   const std::string&) {
  std::lock_guard lock(mu_);
  ++step_locked(client_id, passenger, module).quarantined;
}

}  // namespace databus
