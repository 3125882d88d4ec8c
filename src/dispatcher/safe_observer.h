// SafeObserver: the ticket's observer as the dispatcher and drivers call it.
// Every call catches what the wrapped observer throws, reports it in the process log
// with the event's name, and changes nothing else (observer.h's contract).
// A null observer makes every call a no-op. An optional `first` observer
// (the dispatcher's NodeMetrics) is told every event before it, under the
// same rule.
//
// Thread-safety: as thread-safe as the wrapped observer (observer.h requires
// it to be); the reporting itself is serialised.
#pragma once

#include <memory>
#include <string>

#include "databus/observer.h"

namespace databus::dispatch {

class SafeObserver final : public DispatcherObserver {
 public:
  explicit SafeObserver(std::shared_ptr<DispatcherObserver> inner,
                        DispatcherObserver* first = nullptr)
      : inner_(std::move(inner)), first_(first) {}

  void drive_passenger_complete(const std::string& client_id, const std::string& passenger,
                                const Log& log) override;
  void drive_started(const std::string& client_id, const std::string& passenger) override;
  void passengers_pulled(const std::string& client_id, const std::string& passenger,
                         const std::string& puller, std::size_t count) override;
  void passenger_seated(const std::string& client_id, const QueueEntry& entry) override;
  void passenger_processed(const std::string& client_id, const QueueEntry& entry,
                           const std::string& processor) override;
  void passenger_pushed(const std::string& client_id, const QueueEntry& entry,
                        const std::string& pusher) override;
  void step_failed(const std::string& client_id, const std::string& passenger,
                   const std::string& module, const QueueEntry* entry,
                   const std::string& error) override;
  void step_quarantined(const std::string& client_id, const std::string& passenger,
                        const std::string& module, const QueueEntry& entry,
                        const std::string& error) override;
  void puller_health_changed(const std::string& client_id, const std::string& passenger,
                             const std::string& puller, const PullerHealth& health,
                             PullerHealth::State was, PullerHealth::State is) override;
  void paused() override;
  void resumed() override;
  void shutting_down() override;
  void export_begin(const std::string& client_id) override;
  void export_end(const std::string& client_id, bool ok, const std::string& error) override;

 private:
  // Calls `f` on the wrapped observer, reporting an exception as a failure of
  // `event`.
  template <typename F>
  void call(const char* event, F&& f) noexcept;

  std::shared_ptr<DispatcherObserver> inner_;
  DispatcherObserver* first_;
};

}  // namespace databus::dispatch
