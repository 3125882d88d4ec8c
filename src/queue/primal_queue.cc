#include "queue/primal_queue.h"

#include <map>
#include <set>
#include <span>
#include <utility>

#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {

PrimalQueue::PrimalQueue(QueueEnv env) : env_(std::move(env)) {
  if (env_.database == nullptr) {
    throw Error(std::string(kPrimalQueueModule) + ": no database given for client '" +
                env_.client_id + "', passenger '" + env_.passenger.name + "'");
  }
}

std::vector<QueueEntry> PrimalQueue::seat(DriveContext& ctx, std::vector<Passenger> passengers) {
  const std::vector<std::string> processors = env_.passenger.processor_modules();
  const std::vector<std::string> pushers = env_.passenger.pusher_modules();
  // One batch lookup of the stored keys (one round trip on a server engine).
  std::vector<DedupKey> keys;
  keys.reserve(passengers.size());
  for (const Passenger& p : passengers) keys.push_back({p.source_system, p.external_id});
  const std::map<DedupKey, std::string> stored =
      env_.database->find_entries(env_.client_id, env_.passenger.name, keys);
  // Internal ids the puller set itself may be taken already (one lookup).
  std::vector<std::string> given;
  for (const Passenger& p : passengers) {
    if (is_uuid(p.internal_id)) given.push_back(p.internal_id);
  }
  const std::set<std::string> taken = env_.database->stored_ids(env_.client_id, given);
  std::set<DedupKey> in_batch;
  std::set<std::string> ids;
  std::vector<QueueEntry> seated;
  for (std::size_t i = 0; i < passengers.size(); ++i) {
    Passenger& passenger = passengers[i];
    DedupKey& key = keys[i];
    if (stored.count(key) > 0 || in_batch.count(key) > 0) {
      ctx.log().warning(kPrimalQueueModule,
                        "Passenger " + passenger.describe() + " is already queued; skipped");
      continue;
    }
    in_batch.insert(std::move(key));
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
  if (!seated.empty()) {
    env_.database->insert_entries(env_.client_id, seated);
  }
  return seated;
}

std::vector<QueueEntry> PrimalQueue::unnotified(DriveContext& ctx,
                                                const std::string& puller_module) {
  return query(EntryFilter::unnotified, puller_module);
}

void PrimalQueue::mark_notified(DriveContext& ctx, std::vector<QueueEntry>& entries) {
  if (entries.empty()) return;
  std::vector<QueueEntry> updated = entries;
  for (QueueEntry& entry : updated) {
    entry.puller_notified = true;
    entry.passenger.add_log_guid(ctx.log().guid());
  }
  env_.database->update_entries(env_.client_id, updated, SaveScope::statuses);
  entries = std::move(updated);  // Only once durable.
}

std::vector<QueueEntry> PrimalQueue::awaiting_processing(DriveContext& ctx) {
  return query(EntryFilter::processing_due);
}

std::vector<QueueEntry> PrimalQueue::awaiting_push(DriveContext& ctx) {
  return query(EntryFilter::push_due);
}

void PrimalQueue::save(DriveContext& ctx, QueueEntry& entry, SaveScope scope) {
  entry.passenger.add_log_guid(ctx.log().guid());
  env_.database->update_entries(env_.client_id, std::span<const QueueEntry>(&entry, 1), scope);
}

void PrimalQueue::save_all(DriveContext& ctx, std::span<QueueEntry> entries, SaveScope scope) {
  if (entries.empty()) return;
  for (QueueEntry& entry : entries) entry.passenger.add_log_guid(ctx.log().guid());
  env_.database->update_entries(env_.client_id, entries, scope);
}

std::size_t PrimalQueue::purge_complete(TimePoint before) {
  return env_.database->delete_complete_entries(env_.client_id, env_.passenger.name, before);
}

std::vector<QueueEntry> PrimalQueue::query(EntryFilter filter, const std::string& puller_module) {
  EntryQuery q;
  q.passenger_module = env_.passenger.name;
  q.filter = filter;
  q.puller_module = puller_module;
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
