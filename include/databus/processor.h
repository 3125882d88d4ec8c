// Processor: changes, filters, converts or validates a queued passenger.
#pragma once

#include "databus/component.h"
#include "databus/queue_entry.h"

namespace databus {

// process() gets the whole entry and may change the passenger (attachments)
// and any status of the entry: a filter marks every pusher complete so the
// passenger is never pushed. On return the driver marks this processor
// complete and writes the entry durably. An exception marks the step failed
// (attempts + 1, last_error) and it is retried at the next drive; changes made
// to the entry before the exception are discarded.
class Processor {
 public:
  virtual ~Processor() = default;
  virtual void process(DriveContext& ctx, QueueEntry& entry) = 0;
};

}  // namespace databus
