// The queues a lane hands out (lanes.h): every seat holds the lane's seat
// door, so that a drive's seat and a seat outside a drive (the webhook inbox)
// never interleave their deduplication checks and inserts.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "databus/database_wrapper.h"
#include "databus/queue.h"

namespace databus::dispatch {

// Decorates a queue: seat() holds `seat_door`; everything else is forwarded.
class LaneQueue : public Queue {
 public:
  LaneQueue(std::unique_ptr<Queue> inner, std::mutex& seat_door)
      : inner_(std::move(inner)), seat_door_(seat_door) {}

  std::vector<QueueEntry> seat(DriveContext& ctx, std::vector<Passenger> passengers) override {
    std::lock_guard lock(seat_door_);
    return inner_->seat(ctx, std::move(passengers));
  }
  std::vector<QueueEntry> unnotified(DriveContext& ctx, const std::string& puller,
                                     const QueuePage& page) override {
    return inner_->unnotified(ctx, puller, page);
  }
  void mark_notified(DriveContext& ctx, std::vector<QueueEntry>& entries) override {
    inner_->mark_notified(ctx, entries);
  }
  std::vector<QueueEntry> awaiting_processing(DriveContext& ctx, const QueuePage& page) override {
    return inner_->awaiting_processing(ctx, page);
  }
  std::vector<QueueEntry> awaiting_push(DriveContext& ctx, const QueuePage& page) override {
    return inner_->awaiting_push(ctx, page);
  }
  void save(DriveContext& ctx, QueueEntry& entry, SaveScope scope) override {
    inner_->save(ctx, entry, scope);
  }
  void save_all(DriveContext& ctx, std::span<QueueEntry> entries, SaveScope scope) override {
    inner_->save_all(ctx, entries, scope);
  }
  std::size_t purge_complete(TimePoint before) override { return inner_->purge_complete(before); }

 private:
  std::unique_ptr<Queue> inner_;
  std::mutex& seat_door_;
};

// The database of a seat outside a drive: entries are stored already
// notified (there is nobody to notify beyond the answer to the request), in
// the one write that seats them. A second write marking them notified could
// overwrite what a drive stored in between.
class NotifiedOnInsert : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  void insert_entries(const std::string& client_id, std::span<const QueueEntry> entries) override {
    std::vector<QueueEntry> notified(entries.begin(), entries.end());
    for (QueueEntry& e : notified) e.puller_notified = true;
    DatabaseWrapper::insert_entries(client_id, notified);
  }
  std::vector<std::size_t> seat_entries(const std::string& client_id,
                                        std::span<const QueueEntry> entries) override {
    std::vector<QueueEntry> notified(entries.begin(), entries.end());
    for (QueueEntry& e : notified) e.puller_notified = true;
    return DatabaseWrapper::seat_entries(client_id, notified);
  }
};

}  // namespace databus::dispatch
