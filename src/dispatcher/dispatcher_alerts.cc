// The dispatcher's part of the alerts outside drives: the periodic check for
// stale pullers (docs/architecture.md "Alerts").
#include <algorithm>
#include <map>

#include "dispatcher/dispatcher_impl.h"
#include "logging/process_log.h"

namespace databus {

void Dispatcher::Impl::check_stale(const std::vector<ClientConfig>& configs) {
  {
    std::lock_guard lock(mu_);
    // A paused dispatcher drives nothing, so its pullers go stale by
    // design: that is no news to send.
    if (paused_ || cluster_paused_ || shutting_down_ || !pool_) return;
  }
  if (!stale_monitor_.due(std::chrono::steady_clock::now())) return;
  if (cluster_) {
    // One node checks for the cluster (the others' records of the alerts
    // sent would stop a second alert, but not two sent at the same moment).
    try {
      const Clock::duration live =
          std::max<Clock::duration>(2 * cluster_->lease_period(), 3 * ticket_.cycle);
      const std::vector<NodeInfo> nodes = cluster_->coordination().nodes(live);
      if (!nodes.empty() && nodes.front().id != cluster_->id()) return;
    } catch (const std::exception& e) {
      process_log::warning("dispatcher")
          << "cannot read the cluster's nodes for the stale check: " << e.what();
      return;
    }
  }
  const std::vector<dispatch::AlertEvent> events =
      stale_monitor_.check(*database_, configs, Clock::now(), observer_);
  std::map<std::string, std::vector<dispatch::AlertEvent>> by_client;
  for (const dispatch::AlertEvent& e : events) by_client[e.client_id].push_back(e);
  for (auto& [id, client_events] : by_client) {
    // A copy: clang 14 (the fuzz build) does not capture structured bindings.
    const std::string client_id = id;
    const auto config = std::find_if(configs.begin(), configs.end(),
                                     [&](const ClientConfig& c) { return c.id == client_id; });
    if (config == configs.end() || config->alerts.empty()) continue;
    // On a worker, so a slow alert pusher never holds the scheduler; the
    // alerts' lines go to a log of their own in the client's logs.
    pool_->submit([this, config = *config, client_events = std::move(client_events)] {
      Log log;
      alerts_->send(*database_, config, client_events, log, Clock::now());
      dispatch::write_log_reported(drive_env_, config.id, client_events.front().passenger, log);
    });
  }
}

}  // namespace databus
