// Queue: the rules of the passenger queue of one client passenger type
// (docs/architecture.md "The transport algorithm"), on top of a Database. The primal queue
// ("databus.pqueue.primal_queue") is the standard implementation.
#pragma once

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

// One object serves one drive; not thread-safe.
class Queue {
 public:
  virtual ~Queue() = default;

  // Seats new passengers: each gets an entry with one incomplete status per
  // configured processor and pusher. A passenger whose (source_system,
  // external_id) is already queued for this passenger type is skipped with a
  // warning in ctx.log(). Returns the seated entries, durable on return.
  virtual std::vector<QueueEntry> seat(DriveContext& ctx, std::vector<Passenger> passengers) = 0;

  // Entries of this type pulled by `puller_module` and not yet notified.
  virtual std::vector<QueueEntry> unnotified(DriveContext& ctx,
                                             const std::string& puller_module) = 0;

  // Marks `entries` notified, durably.
  virtual void mark_notified(DriveContext& ctx, std::vector<QueueEntry>& entries) = 0;

  // Entries with a processor that is not complete and is due
  // (QueueEntry::due_at(): not waiting for its next attempt, not
  // quarantined), oldest first.
  virtual std::vector<QueueEntry> awaiting_processing(DriveContext& ctx) = 0;
  // Entries whose processors are complete and some pusher is not and is
  // due, oldest first.
  virtual std::vector<QueueEntry> awaiting_push(DriveContext& ctx) = 0;

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

  // Hands back entries that unnotified(), awaiting_processing() or
  // awaiting_push() returned, once the caller is done with them and has
  // saved every change it made: a queue that keeps attachments in memory may
  // take theirs back instead of copying them again at its next query. The
  // default does nothing.
  virtual void release(std::vector<QueueEntry> entries) {}
};

}  // namespace databus
