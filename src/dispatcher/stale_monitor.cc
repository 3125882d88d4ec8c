#include "dispatcher/stale_monitor.h"

#include <exception>
#include <optional>

#include "dispatcher/alert_collector.h"
#include "logging/process_log.h"

namespace databus::dispatch {

bool StaleMonitor::due(std::chrono::steady_clock::time_point now) {
  if (checked_ && now - last_check_ < kPeriod) return false;
  checked_ = true;
  last_check_ = now;
  return true;
}

std::vector<AlertEvent> StaleMonitor::check(Database& database,
                                            const std::vector<ClientConfig>& configs, TimePoint now,
                                            DispatcherObserver& observer) {
  std::vector<AlertEvent> events;
  std::map<Key, PullerHealth::State> seen;  // Only what is configured now is kept.
  for (const ClientConfig& config : configs) {
    for (const ClientPassenger& p : config.passengers) {
      if (p.pullers.empty()) continue;
      PullerHealthMap health;
      try {
        const std::optional<std::string> text =
            database.read_passenger_state(config.id, p.name, kPullerHealthState);
        if (!text) continue;  // Never pulled.
        health = decode_puller_health(*text);
      } catch (const std::exception& e) {
        process_log::warning("dispatcher")
            << "client '" << config.id << "', passenger '" << p.name
            << "': cannot read the health of its pullers: " << e.what();
        continue;
      }
      const Clock::duration interval = p.drive_interval();
      for (const ComponentRef& ref : p.pullers) {
        const auto it = health.find(ref.module);
        if (it == health.end()) continue;
        const PullerHealth& h = it->second;
        Key key{config.id, p.name, ref.module};
        const auto before = seen_.find(key);
        const PullerHealth::State was = before != seen_.end() ? before->second
                                        : h.last_attempt == TimePoint{}
                                            ? PullerHealth::State::unknown
                                            : h.state(h.last_attempt, interval);
        const PullerHealth::State is = h.state(now, interval);
        seen.emplace(std::move(key), is);
        if (is != PullerHealth::State::stale || was == PullerHealth::State::stale) continue;
        observer.puller_health_changed(config.id, p.name, ref.module, h, was, is);
        events.push_back(puller_alert_event(AlertKind::puller_stale, config.id, p.name, ref.module,
                                            h, was, now));
      }
    }
  }
  seen_ = std::move(seen);
  return events;
}

}  // namespace databus::dispatch
