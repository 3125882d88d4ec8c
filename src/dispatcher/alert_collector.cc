#include "dispatcher/alert_collector.h"

namespace databus::dispatch {
namespace {

bool unhealthy(PullerHealth::State s) {
  return s == PullerHealth::State::failing || s == PullerHealth::State::stale;
}

}  // namespace

std::optional<AlertKind> puller_alert_kind(PullerHealth::State was, PullerHealth::State is) {
  if (was == is) return std::nullopt;
  if (is == PullerHealth::State::failing) return AlertKind::puller_failing;
  if (is == PullerHealth::State::stale) return AlertKind::puller_stale;
  if (is == PullerHealth::State::ok && unhealthy(was)) return AlertKind::puller_recovered;
  return std::nullopt;
}

AlertEvent puller_alert_event(AlertKind kind, const std::string& client_id,
                              const std::string& passenger, const std::string& puller,
                              const PullerHealth& health, PullerHealth::State was, TimePoint at) {
  AlertEvent e;
  e.kind = kind;
  e.client_id = client_id;
  e.passenger = passenger;
  e.module = puller;
  e.error = health.last_error;
  e.attempts = health.consecutive_failures;
  e.was = was;
  e.last_success = health.last_success;
  e.at = at;
  return e;
}

void AlertCollector::step_quarantined(const std::string& client_id, const std::string& passenger,
                                      const std::string& module, const QueueEntry& entry,
                                      const std::string& error) {
  inner_.step_quarantined(client_id, passenger, module, entry, error);
  AlertEvent e;
  e.kind = AlertKind::step_quarantined;
  e.client_id = client_id;
  e.passenger = passenger;
  e.module = module;
  e.error = error;
  const StepState* step = entry.processor(module);
  if (step == nullptr) step = entry.pusher(module);
  e.attempts = step != nullptr ? step->attempts : 0;
  e.entry_internal_id = entry.passenger.internal_id;
  e.entry_external_id = entry.passenger.external_id;
  e.at = Clock::now();
  events_.push_back(std::move(e));
}

void AlertCollector::puller_health_changed(const std::string& client_id,
                                           const std::string& passenger, const std::string& puller,
                                           const PullerHealth& health, PullerHealth::State was,
                                           PullerHealth::State is) {
  inner_.puller_health_changed(client_id, passenger, puller, health, was, is);
  if (const std::optional<AlertKind> kind = puller_alert_kind(was, is)) {
    events_.push_back(
        puller_alert_event(*kind, client_id, passenger, puller, health, was, Clock::now()));
  }
}

}  // namespace databus::dispatch
