#include "queue/primal_queue.h"

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {

namespace {

// A dedup key of the batch being seated, pointing into its DedupKey.
struct KeyView {
  std::string_view source_system;
  std::string_view external_id;
  bool operator==(const KeyView&) const = default;
};

struct KeyViewHash {
  std::size_t operator()(const KeyView& k) const {
    const std::size_t a = std::hash<std::string_view>()(k.source_system);
    return a ^ (std::hash<std::string_view>()(k.external_id) + 0x9e3779b97f4a7c15ULL + (a << 6) +
                (a >> 2));
  }
};

}  // namespace

PrimalQueue::PrimalQueue(QueueEnv env) : env_(std::move(env)) {
  if (env_.database == nullptr) {
    throw Error(std::string(kPrimalQueueModule) + ": no database given for client '" +
                env_.client_id + "', passenger '" + env_.passenger.name + "'");
  }
}

std::vector<QueueEntry> PrimalQueue::seat(DriveContext& ctx, std::vector<Passenger> passengers) {
  const std::vector<std::string> processors = env_.passenger.processor_modules();
  const std::vector<std::string> pushers = env_.passenger.pusher_modules();
  // Keys repeated within the batch are skipped here; keys stored already
  // are skipped by the engine's seat_entries() below, which checks and
  // inserts in one step (one lookup, in one round trip on a server engine).
  std::vector<DedupKey> keys;
  keys.reserve(passengers.size());
  for (const Passenger& p : passengers) keys.push_back({p.source_system, p.external_id});
  // Internal ids the puller set itself may be taken already (one lookup).
  std::vector<std::string> given;
  for (const Passenger& p : passengers) {
    if (is_uuid(p.internal_id)) given.push_back(p.internal_id);
  }
  const std::set<std::string> taken = env_.database->stored_ids(env_.client_id, given);
  // Hashed: a pull of 10,000 passengers made these ordered sets a visible
  // share of the seat step. `keys` outlives `in_batch`, which points into it.
  std::unordered_set<KeyView, KeyViewHash> in_batch;
  in_batch.reserve(passengers.size());
  std::unordered_set<std::string> ids;
  ids.reserve(passengers.size());
  std::vector<QueueEntry> seated;
  seated.reserve(passengers.size());
  for (std::size_t i = 0; i < passengers.size(); ++i) {
    Passenger& passenger = passengers[i];
    const DedupKey& key = keys[i];
    if (!in_batch.insert(KeyView{key.source_system, key.external_id}).second) {
      ctx.log().warning(kPrimalQueueModule,
                        "Passenger " + passenger.describe() + " is already queued; skipped");
      continue;
    }
    // insert_entries() requires new internal ids; a puller that set one
    // itself may have reused it.
    if (!is_uuid(passenger.internal_id) || !ids.insert(passenger.internal_id).second ||
        taken.count(passenger.internal_id) > 0) {
      passenger.internal_id = new_uuid();
      ids.insert(passenger.internal_id);
    }
    passenger.passenger_module = env_.passenger.name;
    passenger.add_log_guid(ctx.log().guid());
    seated.push_back(QueueEntry::seat(std::move(passenger), processors, pushers));
  }
  if (seated.empty()) return seated;
  // The engine skips the keys stored already (by an earlier drive, another
  // seat of this client passenger, or another node), checking and inserting
  // in one step.
  const std::vector<std::size_t> skipped = env_.database->seat_entries(env_.client_id, seated);
  if (skipped.empty()) return seated;
  std::vector<QueueEntry> kept;
  kept.reserve(seated.size() - skipped.size());
  std::size_t next = 0;
  for (std::size_t i = 0; i < seated.size(); ++i) {
    if (next < skipped.size() && skipped[next] == i) {
      ++next;
      ctx.log().warning(kPrimalQueueModule, "Passenger " + seated[i].passenger.describe() +
                                                " is already queued; skipped");
      continue;
    }
    kept.push_back(std::move(seated[i]));
  }
  return kept;
}

std::vector<QueueEntry> PrimalQueue::unnotified(DriveContext& ctx, const std::string& puller_module,
                                                const QueuePage& page) {
  return query(EntryFilter::unnotified, page, puller_module);
}

void PrimalQueue::mark_notified(DriveContext& ctx, std::vector<QueueEntry>& entries) {
  if (entries.empty()) return;
  // Changed in place and changed back should the write fail: the caller's
  // entries say notified only once that is durable.
  struct Before {
    bool notified;
    std::vector<std::string> log_guids;  // At most Passenger::kMaxLogGuids.
    std::uint64_t log_guids_dropped;
  };
  std::vector<Before> before;
  before.reserve(entries.size());
  for (QueueEntry& entry : entries) {
    before.push_back(
        {entry.puller_notified, entry.passenger.log_guids, entry.passenger.log_guids_dropped});
    entry.puller_notified = true;
    entry.passenger.add_log_guid(ctx.log().guid());
  }
  try {
    env_.database->update_entries(env_.client_id, entries, SaveScope::statuses);
  } catch (...) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      entries[i].puller_notified = before[i].notified;
      entries[i].passenger.log_guids = std::move(before[i].log_guids);
      entries[i].passenger.log_guids_dropped = before[i].log_guids_dropped;
    }
    throw;
  }
}

std::vector<QueueEntry> PrimalQueue::awaiting_processing(DriveContext& ctx, const QueuePage& page) {
  return query(EntryFilter::processing_due, page);
}

std::vector<QueueEntry> PrimalQueue::awaiting_push(DriveContext& ctx, const QueuePage& page) {
  return query(EntryFilter::push_due, page);
}

void PrimalQueue::save(DriveContext& ctx, QueueEntry& entry, SaveScope scope) {
  save_all(ctx, std::span<QueueEntry>(&entry, 1), scope);
}

void PrimalQueue::save_all(DriveContext& ctx, std::span<QueueEntry> entries, SaveScope scope) {
  if (entries.empty()) return;
  for (QueueEntry& entry : entries) entry.passenger.add_log_guid(ctx.log().guid());
  env_.database->update_entries(env_.client_id, entries, scope);
}

std::size_t PrimalQueue::purge_complete(TimePoint before) {
  return env_.database->delete_complete_entries(env_.client_id, env_.passenger.name, before);
}

std::vector<QueueEntry> PrimalQueue::query(EntryFilter filter, const QueuePage& page,
                                           const std::string& puller_module) {
  EntryQuery q;
  q.passenger_module = env_.passenger.name;
  q.filter = filter;
  q.puller_module = puller_module;
  // Steps waiting for their next attempt, and quarantined ones, are not
  // read at all (the engines index the due time).
  if (filter == EntryFilter::processing_due || filter == EntryFilter::push_due) {
    q.due_by = Clock::now();
  }
  q.after = page.after;
  q.pulled_before = page.pulled_before;
  q.limit = page.limit;
  return env_.database->query_entries(env_.client_id, q);
}

ComponentSpec primal_queue_spec() {
  ComponentSpec spec;
  spec.name = kPrimalQueueModule;
  spec.summary =
      "The standard passenger queue: skips passengers already queued (same source system "
      "and external id) and stores every status change at once.";
  return spec;
}

std::unique_ptr<Queue> make_primal_queue(const QueueEnv& env) {
  return std::make_unique<PrimalQueue>(env);
}

}  // namespace databus
