// Queue: the rules of the passenger queue of one client passenger type
// (docs/architecture.md "The transport algorithm"), on top of a Database. The primal queue
// ("databus.pqueue.primal_queue") is the standard implementation.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "databus/client.h"
#include "databus/component.h"
#include "databus/database.h"
#include "databus/queue_entry.h"

namespace databus {

// What a queue is built with. The database outlives the queue.
struct QueueEnv {
  Database* database = nullptr;
  std::string client_id;
  ClientPassenger passenger;
};

// One page of a drive's query (Queue::unnotified(), awaiting_processing(),
// awaiting_push()): a drive reads the entries it did not pull itself page by
// page, so that its memory is bounded by a page, not by the queue
// (docs/architecture.md "Streaming drives").
struct QueuePage {
  // Entries after this one (oldest first); none: from the oldest. The next
  // page starts after the last entry of this one (EntryCursor::of()).
  std::optional<EntryCursor> after;
  // Only entries pulled before this: a drive's walk over what earlier drives
  // left leaves out what it pulls itself.
  std::optional<TimePoint> pulled_before;
  // At most this many entries. Default: all of them.
  std::size_t limit = std::numeric_limits<std::size_t>::max();
};

// One object serves one drive; not thread-safe.
class Queue {
 public:
  virtual ~Queue() = default;

  // Seats new passengers: each gets an entry with one incomplete status per
  // configured processor and pusher. A passenger whose (source_system,
  // external_id) is already queued for this passenger type is skipped with a
  // warning in ctx.log(). Returns the seated entries, durable on return.
  virtual std::vector<QueueEntry> seat(DriveContext& ctx, std::vector<Passenger> passengers) = 0;

  // Entries of this type pulled by `puller_module` and not yet notified,
  // oldest first, within `page`.
  virtual std::vector<QueueEntry> unnotified(DriveContext& ctx, const std::string& puller_module,
                                             const QueuePage& page) = 0;

  // Marks `entries` notified, durably.
  virtual void mark_notified(DriveContext& ctx, std::vector<QueueEntry>& entries) = 0;

  // Entries with a processor that is not complete and is due
  // (QueueEntry::due_at(): not waiting for its next attempt, not
  // quarantined), oldest first, within `page`.
  virtual std::vector<QueueEntry> awaiting_processing(DriveContext& ctx, const QueuePage& page) = 0;
  // Entries whose processors are complete and some pusher is not and is
  // due, oldest first, within `page`.
  virtual std::vector<QueueEntry> awaiting_push(DriveContext& ctx, const QueuePage& page) = 0;

  // Writes the entry durably and records the drive's log GUID on it.
  virtual void save(DriveContext& ctx, QueueEntry& entry, SaveScope scope) = 0;

  // Does what save() does for each of `entries`, with one scope for all.
  // Durable on return, so a driver may write the statuses of many entries in
  // one group and pay the cost of durability (a sync, a transaction) once per
  // group instead of once per entry. If it throws, any subset of the entries
  // may have been written (each one whole or not at all), so the caller
  // treats none of them as saved. The default calls save() for each entry;
  // queues on engines that write in batches override it.
  virtual void save_all(DriveContext& ctx, std::span<QueueEntry> entries, SaveScope scope) {
    for (QueueEntry& entry : entries) save(ctx, entry, scope);
  }

  // Deletes complete entries pulled before `before`. Returns the count.
  virtual std::size_t purge_complete(TimePoint before) = 0;
};

}  // namespace databus
