#include "dispatcher/lanes.h"

#include <vector>

#include "databus/error.h"

namespace databus::dispatch {

Lane& Lanes::of(const Key& key) {
  std::lock_guard lock(mu_);
  std::unique_ptr<Lane>& lane = lanes_[key];
  if (!lane) lane = std::make_unique<Lane>();
  return *lane;
}

std::unique_lock<std::timed_mutex> Lanes::enter(const Key& key, std::chrono::milliseconds wait) {
  check_open(key.first);
  Lane& lane = of(key);
  std::unique_lock door(lane.queue_door, std::defer_lock);
  if (!door.try_lock_for(wait)) {
    throw StateError("a drive of passenger type '" + key.second + "' of client '" + key.first +
                     "' is running; try again when it has finished");
  }
  // An export may have closed the lane while this waited.
  check_open(key.first);
  return door;
}

void Lanes::check_open(const std::string& client_id) const {
  std::lock_guard lock(mu_);
  if (closed_.contains(client_id)) {
    throw StateError("an export of client '" + client_id +
                     "' is running; its queue takes no changes until it ends");
  }
}

void Lanes::close_client(const std::string& client_id) {
  std::vector<Lane*> lanes;
  {
    std::lock_guard lock(mu_);
    if (!closed_.insert(client_id).second) {
      throw StateError("the queues of client '" + client_id + "' are closed already");
    }
    for (auto& [key, lane] : lanes_) {
      if (key.first == client_id) lanes.push_back(lane.get());
    }
  }
  // Whatever entered before the lanes closed finishes before this returns;
  // whatever comes later sees them closed.
  for (Lane* lane : lanes) {
    std::lock_guard queue(lane->queue_door);  // The order a drive takes them in.
    std::lock_guard seat(lane->seat_door);
  }
}

void Lanes::open_client(const std::string& client_id) {
  std::lock_guard lock(mu_);
  closed_.erase(client_id);
}

std::vector<std::pair<std::string, Log>> Lanes::take_inbox_logs(TimePoint before) {
  std::vector<std::pair<std::string, Lane*>> lanes;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, lane] : lanes_) lanes.emplace_back(key.first, lane.get());
  }
  std::vector<std::pair<std::string, Log>> logs;
  for (auto& [client_id, lane] : lanes) {
    std::lock_guard seat(lane->seat_door);
    if (lane->inbox_log && lane->inbox_log_opened < before) {
      logs.emplace_back(client_id, std::move(*lane->inbox_log));
      lane->inbox_log.reset();
    }
  }
  return logs;
}

}  // namespace databus::dispatch
