// The dispatcher's actions on a client passenger's queue outside drives, each
// through the client passenger's lane (lanes.h; docs/architecture.md "Lanes:
// one door per client passenger").
#include <algorithm>
#include <chrono>
#include <span>

#include "databus/error.h"
#include "databus/queue.h"
#include "dispatcher/dispatcher_impl.h"
#include "dispatcher/lane_queue.h"
#include "logging/process_log.h"

namespace databus {

using dispatch::Schedule;

std::optional<QueueEntry> Dispatcher::Impl::seat(const std::string& client_id,
                                                 const ClientPassenger& passenger_config,
                                                 Passenger passenger, const std::string& note) {
  const Schedule::Key key{client_id, passenger_config.name};
  dispatch::Lane& lane = lanes_.of(key);
  std::optional<QueueEntry> seated;
  std::optional<Log> full_log;
  {
    std::lock_guard door(lane.seat_door);
    lanes_.check_open(client_id);
    if (database_->find_entry(client_id, passenger_config.name, passenger.source_system,
                              passenger.external_id)) {
      return std::nullopt;  // Queued already: nothing to seat, nothing to log.
    }
    if (!lane.inbox_log) {
      lane.inbox_log.emplace();
      lane.inbox_log_opened = Clock::now();
    }
    Log& log = *lane.inbox_log;
    DriveContext ctx(
        client_id, passenger_config, log,
        [this, &passenger_config] { return factories_.passenger(passenger_config.name); }, &stop_);
    dispatch::NotifiedOnInsert notified(*database_);
    std::unique_ptr<Queue> queue = factories_.queue(
        passenger_config.queue.module, QueueEnv{&notified, client_id, passenger_config});
    if (!queue) {
      throw StateError("the queue factory made nothing for '" + passenger_config.queue.module +
                       "'");
    }
    const std::string source = passenger.puller_module;
    std::vector<QueueEntry> entries = queue->seat(ctx, {std::move(passenger)});
    if (!entries.empty()) {
      seated = std::move(entries.front());
      seated->puller_notified = true;  // As NotifiedOnInsert stored it.
      if (!note.empty()) log.info(source, note);
    }
    if (log.entries().size() >= dispatch::kInboxLogLines) {
      full_log = std::move(*lane.inbox_log);
      lane.inbox_log.reset();
    }
  }
  if (full_log) dispatch::write_log_reported(drive_env_, client_id, key.second, *full_log);
  if (!seated) return std::nullopt;
  observer_.passenger_seated(client_id, *seated);
  schedule_.expedite(key, Clock::now());
  if (cluster_) {
    try {
      cluster_->coordination().expedite(client_id, key.second);
    } catch (const std::exception& e) {
      // Seated all the same: the passenger's next scheduled drive takes it.
      process_log::warning("dispatcher") << "cannot expedite client '" << client_id
                                         << "', passenger '" << key.second << "': " << e.what();
    }
  }
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
  return seated;
}

QueueEntry Dispatcher::Impl::edit_entry(const std::string& client_id,
                                        const std::string& internal_id,
                                        const std::function<void(QueueEntry&)>& edit,
                                        std::chrono::milliseconds wait) {
  auto load = [&] {
    std::optional<QueueEntry> e = database_->load_entry(client_id, internal_id);
    if (!e) throw NotFoundError("client '" + client_id + "' has no queue entry " + internal_id);
    return std::move(*e);
  };
  const std::string passenger = load().passenger.passenger_module;
  std::unique_lock door = lanes_.enter(Schedule::Key{client_id, passenger}, wait);
  // In a cluster, also the lease: no node drives the passenger meanwhile.
  std::unique_ptr<dispatch::HeldLease> held = hold_for_action(client_id, passenger, wait);
  Database& database = held ? held->database(*database_) : *database_;
  QueueEntry entry = load();  // As the last drive left it.
  edit(entry);
  database.update_entries(client_id, std::span<const QueueEntry>(&entry, 1), SaveScope::statuses);
  return entry;
}

std::vector<QueueEntry> Dispatcher::Impl::edit_entries(const std::string& client_id,
                                                       const std::string& passenger,
                                                       EntryQuery selection,
                                                       const std::function<bool(QueueEntry&)>& edit,
                                                       std::chrono::milliseconds wait) {
  find_passenger(client_id, passenger);
  std::unique_lock door = lanes_.enter(Schedule::Key{client_id, passenger}, wait);
  std::unique_ptr<dispatch::HeldLease> held = hold_for_action(client_id, passenger, wait);
  Database& database = held ? held->database(*database_) : *database_;
  selection.passenger_module = passenger;
  selection.with_attachments = false;
  std::vector<QueueEntry> changed;
  for (QueueEntry& entry : database.query_entries(client_id, selection)) {
    if (edit(entry)) changed.push_back(std::move(entry));
  }
  // In groups: a store writes each group at once, and a large selection
  // does not become one huge write.
  constexpr std::size_t kGroup = 500;
  const std::span<const QueueEntry> all(changed);
  for (std::size_t at = 0; at < all.size(); at += kGroup) {
    database.update_entries(client_id, all.subspan(at, std::min(kGroup, all.size() - at)),
                            SaveScope::statuses);
  }
  return changed;
}

std::size_t Dispatcher::Impl::purge_complete(const std::string& client_id,
                                             const std::string& passenger,
                                             std::chrono::milliseconds wait) {
  const Found found = find_passenger(client_id, passenger);
  std::unique_lock door = lanes_.enter(Schedule::Key{client_id, passenger}, wait);
  std::unique_ptr<dispatch::HeldLease> held = hold_for_action(client_id, passenger, wait);
  Database* database = held ? &held->database(*database_) : database_.get();
  std::unique_ptr<Queue> queue = factories_.queue(found.passenger.queue.module,
                                                  QueueEnv{database, client_id, found.passenger});
  if (!queue) {
    throw StateError("the queue factory made nothing for '" + found.passenger.queue.module + "'");
  }
  // Every complete entry, also one completed a moment ago.
  return queue->purge_complete(Clock::now() + std::chrono::seconds(1));
}

void Dispatcher::Impl::write_inbox_logs(TimePoint before) {
  for (auto& [client_id, log] : lanes_.take_inbox_logs(before)) {
    dispatch::write_log_reported(drive_env_, client_id, "(inbox)", log);
  }
}

}  // namespace databus
