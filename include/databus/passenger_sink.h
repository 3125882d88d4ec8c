// PassengerSink: where a streaming puller hands over what it reads, one
// passenger at a time, so that a drive holds a bounded batch, not everything
// the source has (docs/architecture.md, "Streaming drives").
#pragma once

#include "databus/passenger.h"

namespace databus {

// Given to Puller::pull_into() by the driver. Not
// thread-safe: call it on the thread pull() runs on.
class PassengerSink {
 public:
  virtual ~PassengerSink() = default;

  // Takes one pulled passenger (built with DriveContext::new_passenger()).
  // The driver seats what it is handed in batches; a batch that is full is
  // seated, and its passengers notified (Puller::notify()), before put()
  // returns. So notify() may be called while pull_into() runs, between two put()
  // calls, for passengers handed over earlier; a streaming puller keeps
  // whatever notify() needs (a UID, a path, a tracked value) apart from the
  // state it reads with. Throws what seating throws; a puller lets it
  // propagate (the drive logs it and the rest is read again at the next
  // drive).
  virtual void put(Passenger passenger) = 0;

  // True once the drive wants no more passengers (the dispatcher is shutting
  // down, or a limit of the drive was reached): a puller stops reading and
  // returns; what it did not hand over is read again at the next drive.
  virtual bool done() const { return false; }
};

}  // namespace databus
