// Puller: fetches passengers from a source system.
#pragma once

#include <vector>

#include "databus/component.h"
#include "databus/passenger.h"
#include "databus/passenger_sink.h"

namespace databus {

// Contract (at-least-once): a puller keeps returning a passenger until
// notify() has been called for it; notify() is called only after the
// passenger is durably seated, and may be called again for the same
// passengers after a crash, so it must be idempotent. Any exception is
// logged in the drive's log and the step is retried at the next drive. One
// object serves one drive.
//
// Two ways to pull; a puller overrides at least one (overriding neither
// throws Error at the first pull):
//  - pull_into(ctx, sink), the streaming form the driver calls: hand over each
//    passenger as it is read (PassengerSink::put()), so that memory stays
//    bounded by the driver's batch, whatever the source holds; notify() may
//    then run while pull_into() does (PassengerSink::put());
//  - pull(ctx), returning everything at once: a convenience for sources
//    that are small by nature (the default streaming form hands its result
//    over passenger by passenger).
class Puller {
 public:
  virtual ~Puller() = default;

  // Hands the passengers waiting in the source to `sink`, in the source's
  // order, until the source is exhausted or sink.done(). Default: pull(ctx),
  // handed over one by one.
  virtual void pull_into(DriveContext& ctx, PassengerSink& sink);

  // Returns the passengers waiting in the source (build them with
  // ctx.new_passenger()). Default: everything pull_into(ctx, sink) hands over,
  // collected (no notify() can happen in between: nothing is seated).
  virtual std::vector<Passenger> pull(DriveContext& ctx);

  // Returns what waits in the source without taking it. Default: pull(ctx).
  virtual std::vector<Passenger> peek(DriveContext& ctx) { return pull(ctx); }

  // Told that `seated` passengers (all pulled by this puller) are durably in
  // the queue: the source may now stop returning them (move the e-mail, delete
  // the file). If it throws, none of them is marked notified.
  virtual void notify(DriveContext& ctx, const std::vector<Passenger>& seated) = 0;
};

}  // namespace databus
