// Pusher: delivers a processed passenger to a target system.
#pragma once

#include "databus/component.h"
#include "databus/queue_entry.h"

namespace databus {

// push() is called for entries whose processors are all complete and whose
// status for this pusher is not complete. It may change any status of the
// entry. On return the driver marks this pusher complete and writes the entry
// durably; an exception marks the step failed and it is retried at the next
// drive. Delivery is at-least-once: after a crash between the delivery and the
// write, push() runs again for the same passenger, so targets should
// deduplicate on the passenger's internal_id where that matters.
class Pusher {
 public:
  virtual ~Pusher() = default;
  virtual void push(DriveContext& ctx, QueueEntry& entry) = 0;
};

}  // namespace databus
