// Puller: fetches passengers from a source system.
#pragma once

#include <vector>

#include "databus/component.h"
#include "databus/passenger.h"

namespace databus {

// Contract (at-least-once): pull() keeps returning a passenger until notify()
// has been called for it; notify() is called only after the passenger is
// durably seated, and may be called again for the same passengers after a
// crash, so it must be idempotent. Any exception is logged in the drive's log
// and the step is retried at the next drive. One object serves one drive.
class Puller {
 public:
  virtual ~Puller() = default;

  // Returns the passengers waiting in the source (build them with
  // ctx.new_passenger()).
  virtual std::vector<Passenger> pull(DriveContext& ctx) = 0;

  // Returns what waits in the source without taking it. Default: pull().
  virtual std::vector<Passenger> peek(DriveContext& ctx) { return pull(ctx); }

  // Told that `seated` passengers (all pulled by this puller) are durably in
  // the queue: the source may now stop returning them (move the e-mail, delete
  // the file). If it throws, none of them is marked notified.
  virtual void notify(DriveContext& ctx, const std::vector<Passenger>& seated) = 0;
};

}  // namespace databus
