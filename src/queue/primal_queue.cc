#include "queue/primal_queue.h"

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>
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
  // The attachments to remember are copied on a second thread while the
  // engine writes (both only read `seated`); kept once the write succeeded.
  // A small batch is copied afterwards, here: a thread would cost more.
  std::vector<std::vector<Attachment>> copies;
  auto copy = [&] {
    try {
      copies.reserve(seated.size());
      for (const QueueEntry& entry : seated) copies.push_back(entry.passenger.attachments);
    } catch (...) {
      copies.clear();  // Out of memory: nothing remembered, loaded when needed.
    }
  };
  std::thread copier;
  if (seated.size() >= kCopyOnThread) {
    try {
      copier = std::thread(copy);
    } catch (const std::system_error&) {
      // No thread to be had: copied below.
    }
  }
  // The engine skips the keys stored already (by an earlier drive, another
  // seat of this client passenger, or another node), checking and inserting
  // in one step.
  std::vector<std::size_t> skipped;
  try {
    skipped = env_.database->seat_entries(env_.client_id, seated);
  } catch (...) {
    if (copier.joinable()) copier.join();
    throw;
  }
  if (copier.joinable()) {
    copier.join();
  } else {
    copy();
  }
  if (!skipped.empty()) {
    std::vector<QueueEntry> kept;
    std::vector<std::vector<Attachment>> kept_copies;
    std::size_t next = 0;
    for (std::size_t i = 0; i < seated.size(); ++i) {
      if (next < skipped.size() && skipped[next] == i) {
        ++next;
        ctx.log().warning(kPrimalQueueModule, "Passenger " + seated[i].passenger.describe() +
                                                  " is already queued; skipped");
        continue;
      }
      if (i < copies.size()) kept_copies.push_back(std::move(copies[i]));
      kept.push_back(std::move(seated[i]));
    }
    seated = std::move(kept);
    if (copies.size() == kept_copies.size() + skipped.size())
      copies = std::move(kept_copies);
    else
      copies.clear();
  }
  for (std::size_t i = 0; i < copies.size(); ++i) {
    remember(seated[i].passenger.internal_id, std::move(copies[i]));
  }
  return seated;
}

std::vector<QueueEntry> PrimalQueue::unnotified(DriveContext& ctx,
                                                const std::string& puller_module) {
  return query(EntryFilter::unnotified, puller_module);
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

std::vector<QueueEntry> PrimalQueue::awaiting_processing(DriveContext& ctx) {
  return query(EntryFilter::processing_due);
}

std::vector<QueueEntry> PrimalQueue::awaiting_push(DriveContext& ctx) {
  return query(EntryFilter::push_due);
}

void PrimalQueue::save(DriveContext& ctx, QueueEntry& entry, SaveScope scope) {
  save_all(ctx, std::span<QueueEntry>(&entry, 1), scope);
}

void PrimalQueue::save_all(DriveContext& ctx, std::span<QueueEntry> entries, SaveScope scope) {
  if (entries.empty()) return;
  for (QueueEntry& entry : entries) entry.passenger.add_log_guid(ctx.log().guid());
  if (scope == SaveScope::statuses) {
    // The stored attachments stay as they are, and so does what is cached.
    env_.database->update_entries(env_.client_id, entries, scope);
    return;
  }
  // Whatever happens below, the stored attachments may be the new ones.
  for (const QueueEntry& entry : entries) forget(entry.passenger.internal_id);
  env_.database->update_entries(env_.client_id, entries, scope);
  for (const QueueEntry& entry : entries) remember(entry);
}

std::size_t PrimalQueue::purge_complete(TimePoint before) {
  return env_.database->delete_complete_entries(env_.client_id, env_.passenger.name, before);
}

std::vector<QueueEntry> PrimalQueue::query(EntryFilter filter, const std::string& puller_module) {
  EntryQuery q;
  q.passenger_module = env_.passenger.name;
  q.filter = filter;
  q.puller_module = puller_module;
  // Steps waiting for their next attempt, and quarantined ones, are not
  // read at all (the engines index the due time).
  if (filter == EntryFilter::processing_due || filter == EntryFilter::push_due) {
    q.due_by = Clock::now();
  }
  q.with_attachments = false;
  q.with_attachment_names = false;
  std::vector<QueueEntry> entries = env_.database->query_entries(env_.client_id, q);
  std::vector<Cached*> cached(entries.size(), nullptr);
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Cached* found = attachments_.find(entries[i].passenger.internal_id);
    if (found == nullptr || found->lent) {
      missing.push_back(i);
    } else {
      cached[i] = found;
    }
  }
  // Entries of earlier drives: a few are loaded one by one, many at once.
  constexpr std::size_t kLoadOneByOne = 32;
  if (missing.size() > kLoadOneByOne) {
    q.with_attachments = true;
    return env_.database->query_entries(env_.client_id, q);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (cached[i] == nullptr) continue;
    entries[i].passenger.attachments = std::move(cached[i]->attachments);
    cached[i]->lent = true;
  }
  if (missing.empty()) return entries;
  std::vector<QueueEntry> out;
  out.reserve(entries.size());
  std::size_t next_missing = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (next_missing < missing.size() && missing[next_missing] == i) {
      ++next_missing;
      std::optional<QueueEntry> loaded =
          env_.database->load_entry(env_.client_id, entries[i].passenger.internal_id);
      if (!loaded) continue;  // Deleted meanwhile.
      entries[i].passenger.attachments = std::move(loaded->passenger.attachments);
    }
    out.push_back(std::move(entries[i]));
  }
  return out;
}

void PrimalQueue::remember(const QueueEntry& entry) {
  remember(entry.passenger.internal_id, entry.passenger.attachments);
}

void PrimalQueue::remember(const std::string& internal_id, std::vector<Attachment> attachments) {
  std::size_t bytes = 0;
  for (const Attachment& a : attachments) bytes += a.content.size();
  Cached* known = attachments_.find(internal_id);
  if (known != nullptr) cached_bytes_ -= known->bytes;
  if (cached_bytes_ + bytes > kCachedBytes) {  // Loaded when needed instead.
    if (known != nullptr) attachments_.erase(internal_id);
    return;
  }
  cached_bytes_ += bytes;
  Cached fresh{std::move(attachments), bytes, false};
  if (known != nullptr) {
    *known = std::move(fresh);
  } else {
    attachments_.insert_or_assign(internal_id, std::move(fresh));
  }
}

void PrimalQueue::forget(const std::string& internal_id) {
  const Cached* found = attachments_.find(internal_id);
  if (found == nullptr) return;
  cached_bytes_ -= found->bytes;
  attachments_.erase(internal_id);
}

void PrimalQueue::release(std::vector<QueueEntry> entries) {
  for (QueueEntry& entry : entries) {
    Cached* found = attachments_.find(entry.passenger.internal_id);
    if (found == nullptr || !found->lent) continue;
    // What the query lent, unless the entry was written since (the slot
    // would then hold what was written, and not be lent).
    found->attachments = std::move(entry.passenger.attachments);
    found->lent = false;
  }
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
