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
#include "model/sequential_map.h"

namespace databus {

inline constexpr char kPrimalQueueModule[] = "databus.pqueue.primal_queue";

// One object serves one drive of one client passenger; not thread-safe.
// Every write goes through one Database call, so it is durable on return.
//
// The drive's queries read entries without attachment contents: the queue
// remembers the attachments of the entries it wrote itself during the drive
// (seated, or saved with SaveScope::everything; up to kCachedBytes of
// content) and fills them in from memory (lent, not copied, when the drive
// gives them back with release()); the stored row gives everything
// else (statuses, notified, log GUIDs), so a status flipped meanwhile (web
// interface) is seen. Entries it did not write (left over from an earlier
// drive) are loaded with their attachments. Attachments change only through
// SaveScope::everything writes, and a drive is the only writer of its
// entries' passengers while it runs, so what is filled in is what is stored.
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

  std::vector<QueueEntry> unnotified(DriveContext& ctx, const std::string& puller_module) override;

  // Sets puller_notified and the drive's log GUID on each entry (also in the
  // caller's vector) and writes them in one update_entries() call.
  void mark_notified(DriveContext& ctx, std::vector<QueueEntry>& entries) override;

  std::vector<QueueEntry> awaiting_processing(DriveContext& ctx) override;
  std::vector<QueueEntry> awaiting_push(DriveContext& ctx) override;

  void save(DriveContext& ctx, QueueEntry& entry, SaveScope scope) override;
  // Records the drive's log GUID on each entry and writes them all in one
  // update_entries() call.
  void save_all(DriveContext& ctx, std::span<QueueEntry> entries, SaveScope scope) override;

  std::size_t purge_complete(TimePoint before) override;

  // Takes back the attachments a query lent out of memory (see the class
  // comment), for entries whose stored attachments are still those.
  void release(std::vector<QueueEntry> entries) override;

  // Attachment bytes a queue keeps in memory for its drive, at most.
  static constexpr std::size_t kCachedBytes = std::size_t{64} << 20;
  // Seating at least this many passengers copies their attachments for
  // memory on a second thread while the engine writes them.
  static constexpr std::size_t kCopyOnThread = 256;

 private:
  std::vector<QueueEntry> query(EntryFilter filter, const std::string& puller_module = {});
  // Remembers the attachments of `entry`, durably stored as they are.
  void remember(const QueueEntry& entry);
  void remember(const std::string& internal_id, std::vector<Attachment> attachments);
  void forget(const std::string& internal_id);

  // Attachments kept in memory. A query moves them into the entries it
  // returns (lent: an entry is then handed out at most once) and release()
  // moves them back; an entry's attachments written meanwhile
  // (SaveScope::everything) replace a lent slot, which release() then
  // leaves alone. A lent slot not given back counts as missing.
  struct Cached {
    std::vector<Attachment> attachments;
    std::size_t bytes = 0;
    bool lent = false;
  };
  QueueEnv env_;
  // In seat order, the order the queries read them back in.
  SequentialMap<Cached> attachments_;
  std::size_t cached_bytes_ = 0;
};

// The registry's description of the primal queue (no settings).
ComponentSpec primal_queue_spec();
// The registry's maker: a PrimalQueue on env.
std::unique_ptr<Queue> make_primal_queue(const QueueEnv& env);

}  // namespace databus
