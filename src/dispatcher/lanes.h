// Lanes: the one door of each client passenger's queue (docs/architecture.md
// "Lanes: one door per client passenger"). Every action of this process that
// reads and then writes a client passenger's queue passes its lane:
//
// - the queue door (exclusive, held for the whole action): drives, scheduled
//   or drive_now(), status edits and purges from the web interface;
// - the seat door (exclusive, held while seating): every seat of the lane,
//   a drive's (the lane wraps the queues it hands out, lane_queue.h) and one
//   outside a drive (the webhook inbox), so that a deduplication check and
//   the insert that follows it are never interleaved with another seat;
// - closing (export): the lanes of a client being exported refuse seats,
//   edits and purges until it ends, and closing waits for those in flight.
//
// A drive holds the queue door, then briefly the seat door; a seat outside a
// drive holds only the seat door; nothing takes the doors in the other order.
//
// Thread-safety: every method may be called from any thread. Lanes are made
// on first use and live as long as the Lanes object, so a Lane& stays valid.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "databus/log.h"
#include "databus/time.h"

namespace databus::dispatch {

struct Lane {
  std::timed_mutex queue_door;
  std::mutex seat_door;
  // Guarded by seat_door: the log of the seats made outside drives since it
  // was last written (one log per group of webhook seats, not one per seat),
  // and when its first seat was made.
  std::optional<Log> inbox_log;
  TimePoint inbox_log_opened{};
};

class Lanes {
 public:
  // (client id, passenger name).
  using Key = std::pair<std::string, std::string>;

  // The lane of `key`, made on first use.
  Lane& of(const Key& key);

  // Holds the queue door of `key`, waiting at most `wait` for the action that
  // holds it (typically a drive). Throws StateError naming the client
  // passenger when it is still held then, or when the client's lanes are
  // closed.
  std::unique_lock<std::timed_mutex> enter(const Key& key, std::chrono::milliseconds wait);

  // Throws StateError when the client's lanes are closed (an export runs).
  void check_open(const std::string& client_id) const;

  // Closes the client's lanes and waits until no seat, edit or purge of them
  // is in flight. Throws StateError when they are closed already.
  void close_client(const std::string& client_id);
  void open_client(const std::string& client_id);

  // Takes the inbox logs of every lane whose log was opened before `before`
  // (all of them with TimePoint::max()), to be written by the caller.
  std::vector<std::pair<std::string, Log>> take_inbox_logs(TimePoint before);

 private:
  mutable std::mutex mu_;
  std::map<Key, std::unique_ptr<Lane>> lanes_;  // Guarded by mu_.
  std::set<std::string> closed_;                // Guarded by mu_.
};

}  // namespace databus::dispatch
