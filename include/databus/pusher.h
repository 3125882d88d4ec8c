// Pusher: delivers a processed passenger to a target system.
#pragma once

#include "databus/component.h"
#include "databus/queue_entry.h"

namespace databus {

// push() is called for entries whose processors are all complete and whose
// status for this pusher is not complete. It may change any status of the
// entry. An exception marks the step failed and it is retried at the next
// drive. Delivery is at-least-once: after a crash between the delivery and the
// write, push() runs again for the same passenger, so targets should
// deduplicate on the passenger's internal_id where that matters.
//
// Batches: the driver calls push() for a group of entries, then flush(), and
// only then marks the pushes that returned complete and writes the entries
// durably (docs/architecture.md, "Durability and crash safety"). A pusher
// whose push() is durable on return needs no flush() (the default does
// nothing); one that makes many deliveries durable together (one sync for
// many files) does it in flush(). When flush() throws, every push() of this
// pusher since the last flush() counts as failed and is retried at the next
// drive; the changes those push() calls made to their entries are kept. A
// pusher destroyed without flush() must not have delivered what it did not
// make durable, or must have delivered it whole (the entries are pushed
// again). Whoever calls push() outside the primal driver must call flush()
// before treating the pushes as done.
class Pusher {
 public:
  virtual ~Pusher() = default;
  virtual void push(DriveContext& ctx, QueueEntry& entry) = 0;
  // Makes every push() that returned since the last flush() durable.
  virtual void flush(DriveContext& ctx) { (void)ctx; }
};

}  // namespace databus
