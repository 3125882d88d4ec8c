// DispatcherObserver: told about significant dispatcher events (docs/architecture.md "Concepts").
#pragma once

#include <cstddef>
#include <string>

#include "databus/log.h"
#include "databus/puller_health.h"
#include "databus/queue_entry.h"

namespace databus {

// Every method has an empty default; override what you need.
// Thread-safety: methods are called from worker threads, several at once
// (drives of different client passengers run in parallel), so an
// implementation must be thread-safe. An exception thrown by a method is
// caught, logged, and changes nothing else. Methods should return quickly:
// they run on the drive's thread.
class DispatcherObserver {
 public:
  virtual ~DispatcherObserver() = default;

  // A drive ended; `log` is its log (already stored). The original's event:
  // typically used to e-mail someone when log.has_errors().
  virtual void drive_passenger_complete(const std::string& client_id, const std::string& passenger,
                                        const Log& log) {}

  virtual void drive_started(const std::string& client_id, const std::string& passenger) {}
  // `puller` returned `count` passengers (> 0) in a drive, before they are
  // seated.
  virtual void passengers_pulled(const std::string& client_id, const std::string& passenger,
                                 const std::string& puller, std::size_t count) {}
  // A passenger was durably seated in the queue: by a drive, or by the web
  // interface's webhook inbox (then on the web server's thread).
  virtual void passenger_seated(const std::string& client_id, const QueueEntry& entry) {}
  // `processor` completed on the entry's passenger (durably recorded).
  virtual void passenger_processed(const std::string& client_id, const QueueEntry& entry,
                                   const std::string& processor) {}
  // `pusher` delivered the entry's passenger.
  virtual void passenger_pushed(const std::string& client_id, const QueueEntry& entry,
                                const std::string& pusher) {}
  // A puller, processor or pusher failed; `entry` is null for puller failures.
  virtual void step_failed(const std::string& client_id, const std::string& passenger,
                           const std::string& module, const QueueEntry* entry,
                           const std::string& error) {}
  // A processor or pusher failed as often as its retry policy allows
  // (retry.h): it is quarantined and runs again only when a person retries
  // it. Called once the quarantine is durable, after step_failed().
  virtual void step_quarantined(const std::string& client_id, const std::string& passenger,
                                const std::string& module, const QueueEntry& entry,
                                const std::string& error) {}
  // The state of a puller's health (puller_health.h) changed from `was` to
  // `is`, as a drive found it after its pulls: it turned failing or stale,
  // or recovered. Called once the drive recorded it.
  virtual void puller_health_changed(const std::string& client_id, const std::string& passenger,
                                     const std::string& puller, const PullerHealth& health,
                                     PullerHealth::State was, PullerHealth::State is) {}
  virtual void paused() {}
  virtual void resumed() {}
  virtual void shutting_down() {}
  virtual void export_begin(const std::string& client_id) {}
  // `error` is empty on success.
  virtual void export_end(const std::string& client_id, bool ok, const std::string& error) {}
};

}  // namespace databus
