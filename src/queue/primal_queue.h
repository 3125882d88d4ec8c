// The primal queue ("databus.pqueue.primal_queue"): the queue rules of
// docs/architecture.md "The transport algorithm" on top of any Database. Engines only store and
// query; every rule (dedup, seated statuses, log GUIDs) lives here.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "databus/queue.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kPrimalQueueModule[] = "databus.pqueue.primal_queue";

// One object serves one drive of one client passenger; not thread-safe.
// Every write goes through one Database call, so it is durable on return.
// It keeps nothing between calls: a streaming drive holds the entries of
// its batch itself, and reads those of earlier drives page by page
// (docs/architecture.md "Streaming drives"), so a queue's memory does not
// grow with the drive.
class PrimalQueue : public Queue {
 public:
  // REQUIRES: env.database is non-null and outlives the queue.
  explicit PrimalQueue(QueueEnv env);

  // Dedup key: (source_system, external_id) within this passenger type,
  // inside `passengers` and against stored entries: the new entries are
  // written in ONE Database::seat_entries() batch, which skips stored keys
  // in the same step as it inserts (atomic across nodes on PostgreSQL):
  // either all the others are seated or none. A duplicate is skipped with a
  // warning naming it.
  // Each new passenger gets passenger_module = the client passenger's name
  // (the queue holds one passenger type) and the drive's log GUID; one whose
  // internal_id is not a UUID or is already taken gets a fresh UUID
  // (one Database::stored_ids() call per batch).
  std::vector<QueueEntry> seat(DriveContext& ctx, std::vector<Passenger> passengers) override;

  std::vector<QueueEntry> unnotified(DriveContext& ctx, const std::string& puller_module,
                                     const QueuePage& page) override;

  // Sets puller_notified and the drive's log GUID on each entry (also in the
  // caller's vector) and writes them in one update_entries() call.
  void mark_notified(DriveContext& ctx, std::vector<QueueEntry>& entries) override;

  std::vector<QueueEntry> awaiting_processing(DriveContext& ctx, const QueuePage& page) override;
  std::vector<QueueEntry> awaiting_push(DriveContext& ctx, const QueuePage& page) override;

  void save(DriveContext& ctx, QueueEntry& entry, SaveScope scope) override;
  // Records the drive's log GUID on each entry and writes them all in one
  // update_entries() call.
  void save_all(DriveContext& ctx, std::span<QueueEntry> entries, SaveScope scope) override;

  std::size_t purge_complete(TimePoint before) override;

 private:
  std::vector<QueueEntry> query(EntryFilter filter, const QueuePage& page,
                                const std::string& puller_module = {});

  QueueEnv env_;
};

// The registry's description of the primal queue (no settings).
ComponentSpec primal_queue_spec();
// The registry's maker: a PrimalQueue on env.
std::unique_ptr<Queue> make_primal_queue(const QueueEnv& env);

}  // namespace databus
