#include "dispatcher/safe_observer.h"
#include "logging/process_log.h"

#include <exception>
#include <mutex>

namespace databus::dispatch {
namespace {

std::mutex report_mu;

void report(const char* event, const char* what) noexcept {
  try {
    std::lock_guard lock(report_mu);
    process_log::warning("dispatcher")
        << "observer event " << event << " threw: " << what << " (ignored)";
  } catch (...) {
    // Reporting must not throw either; nothing more can be done.
  }
}

}  // namespace

template <typename F>
void SafeObserver::call(const char* event, F&& f) noexcept {
  for (DispatcherObserver* observer : {first_, inner_.get()}) {
    if (observer == nullptr) continue;
    try {
      f(*observer);
    } catch (const std::exception& e) {
      report(event, e.what());
    } catch (...) {
      report(event, "an unknown exception");
    }
  }
}

void SafeObserver::drive_passenger_complete(const std::string& client_id,
                                            const std::string& passenger, const Log& log) {
  call("drive_passenger_complete",
       [&](DispatcherObserver& o) { o.drive_passenger_complete(client_id, passenger, log); });
}

void SafeObserver::drive_started(const std::string& client_id, const std::string& passenger) {
  call("drive_started", [&](DispatcherObserver& o) { o.drive_started(client_id, passenger); });
}

void SafeObserver::passenger_seated(const std::string& client_id, const QueueEntry& entry) {
  call("passenger_seated", [&](DispatcherObserver& o) { o.passenger_seated(client_id, entry); });
}

void SafeObserver::passengers_pulled(const std::string& client_id, const std::string& passenger,
                                     const std::string& puller, std::size_t count) {
  call("passengers_pulled",
       [&](DispatcherObserver& o) { o.passengers_pulled(client_id, passenger, puller, count); });
}

void SafeObserver::passenger_processed(const std::string& client_id, const QueueEntry& entry,
                                       const std::string& processor) {
  call("passenger_processed",
       [&](DispatcherObserver& o) { o.passenger_processed(client_id, entry, processor); });
}

void SafeObserver::passenger_pushed(const std::string& client_id, const QueueEntry& entry,
                                    const std::string& pusher) {
  call("passenger_pushed",
       [&](DispatcherObserver& o) { o.passenger_pushed(client_id, entry, pusher); });
}

void SafeObserver::step_failed(const std::string& client_id, const std::string& passenger,
                               const std::string& module, const QueueEntry* entry,
                               const std::string& error) {
  call("step_failed",
       [&](DispatcherObserver& o) { o.step_failed(client_id, passenger, module, entry, error); });
}

void SafeObserver::step_quarantined(const std::string& client_id, const std::string& passenger,
                                    const std::string& module, const QueueEntry& entry,
                                    const std::string& error) {
  call("step_quarantined", [&](DispatcherObserver& o) {
    o.step_quarantined(client_id, passenger, module, entry, error);
  });
}

void SafeObserver::puller_health_changed(const std::string& client_id, const std::string& passenger,
                                         const std::string& puller, const PullerHealth& health,
                                         PullerHealth::State was, PullerHealth::State is) {
  call("puller_health_changed", [&](DispatcherObserver& o) {
    o.puller_health_changed(client_id, passenger, puller, health, was, is);
  });
}

void SafeObserver::paused() {
  call("paused", [](DispatcherObserver& o) { o.paused(); });
}

void SafeObserver::resumed() {
  call("resumed", [](DispatcherObserver& o) { o.resumed(); });
}

void SafeObserver::shutting_down() {
  call("shutting_down", [](DispatcherObserver& o) { o.shutting_down(); });
}

void SafeObserver::export_begin(const std::string& client_id) {
  call("export_begin", [&](DispatcherObserver& o) { o.export_begin(client_id); });
}

void SafeObserver::export_end(const std::string& client_id, bool ok, const std::string& error) {
  call("export_end", [&](DispatcherObserver& o) { o.export_end(client_id, ok, error); });
}

}  // namespace databus::dispatch
