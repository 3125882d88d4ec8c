// AlertCollector: the observer one drive calls. It passes every event on to
// the dispatcher's observer (a SafeObserver) unchanged, and keeps the events
// that make alerts (docs/configuration.md "Alerts"): a step quarantined, a
// puller turned failing or stale, or recovered. The dispatcher sends them
// after the drive's steps (drive_runner.h).
//
// Thread-safety: one drive's; events() is read after the drive ended.
#pragma once

#include <optional>
#include <vector>

#include "databus/observer.h"
#include "dispatcher/alert_event.h"

namespace databus::dispatch {

// The alert a puller's change of health makes, if any: failing or stale
// when it was neither (or the other), recovered when it was either and is
// ok now.
std::optional<AlertKind> puller_alert_kind(PullerHealth::State was, PullerHealth::State is);

class AlertCollector final : public DispatcherObserver {
 public:
  // `inner` is called first for every event; it must not throw.
  explicit AlertCollector(DispatcherObserver& inner) : inner_(inner) {}

  void drive_passenger_complete(const std::string& client_id, const std::string& passenger,
                                const Log& log) override {
    inner_.drive_passenger_complete(client_id, passenger, log);
  }
  void drive_started(const std::string& client_id, const std::string& passenger) override {
    inner_.drive_started(client_id, passenger);
  }
  void passengers_pulled(const std::string& client_id, const std::string& passenger,
                         const std::string& puller, std::size_t count) override {
    inner_.passengers_pulled(client_id, passenger, puller, count);
  }
  void passenger_seated(const std::string& client_id, const QueueEntry& entry) override {
    inner_.passenger_seated(client_id, entry);
  }
  void passenger_processed(const std::string& client_id, const QueueEntry& entry,
                           const std::string& processor) override {
    inner_.passenger_processed(client_id, entry, processor);
  }
  void passenger_pushed(const std::string& client_id, const QueueEntry& entry,
                        const std::string& pusher) override {
    inner_.passenger_pushed(client_id, entry, pusher);
  }
  void step_failed(const std::string& client_id, const std::string& passenger,
                   const std::string& module, const QueueEntry* entry,
                   const std::string& error) override {
    inner_.step_failed(client_id, passenger, module, entry, error);
  }
  void step_quarantined(const std::string& client_id, const std::string& passenger,
                        const std::string& module, const QueueEntry& entry,
                        const std::string& error) override;
  void puller_health_changed(const std::string& client_id, const std::string& passenger,
                             const std::string& puller, const PullerHealth& health,
                             PullerHealth::State was, PullerHealth::State is) override;
  void paused() override { inner_.paused(); }
  void resumed() override { inner_.resumed(); }
  void shutting_down() override { inner_.shutting_down(); }
  void export_begin(const std::string& client_id) override { inner_.export_begin(client_id); }
  void export_end(const std::string& client_id, bool ok, const std::string& error) override {
    inner_.export_end(client_id, ok, error);
  }

  const std::vector<AlertEvent>& events() const { return events_; }

 private:
  DispatcherObserver& inner_;
  std::vector<AlertEvent> events_;
};

// The event of a puller's health change to `is` (alert kind `kind`).
AlertEvent puller_alert_event(AlertKind kind, const std::string& client_id,
                              const std::string& passenger, const std::string& puller,
                              const PullerHealth& health, PullerHealth::State was, TimePoint at);

}  // namespace databus::dispatch
