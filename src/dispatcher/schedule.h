// Schedule: when each client passenger is due, and which ones are being
// driven (docs/architecture.md "The transport algorithm"). A client passenger is due when its
// interval has passed since its last drive started, at once when it was never driven, and at once
// after expedite(). It is never driven twice at the same time: claim() and
// acquire() hand out one drive slot per client passenger.
//
// Times are passed in by the caller, so the rules can be tested without
// waiting.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "databus/client.h"
#include "databus/dispatcher.h"
#include "databus/log.h"
#include "databus/time.h"

namespace databus::dispatch {

// The time between two drives of `passenger`: sync_interval_seconds when set,
// else sync_frequency minutes.
Clock::duration drive_interval(const ClientPassenger& passenger);

class Schedule {
 public:
  // (client id, passenger name).
  using Key = std::pair<std::string, std::string>;

  // Takes `passengers` as the client's current configuration: new ones become
  // due at once, known ones keep their history and take the new interval,
  // ones no longer configured are forgotten (unless a drive of theirs runs).
  void configure(const std::string& client_id, const std::vector<ClientPassenger>& passengers,
                 TimePoint now);
  // Forgets every client not in `client_ids` (except running drives).
  void retain_clients(const std::set<std::string>& client_ids);

  // Makes the client passenger due at once (creating its record, due now,
  // when the schedule does not know it yet).
  void expedite(const Key& key, TimePoint now);

  // Takes the drive slot when the client passenger is configured, due at
  // `now` and not running. Returns whether it did. REQUIRES: a true return is
  // followed by exactly one started() + finished(), or one release().
  bool claim(const Key& key, TimePoint now);
  // Blocks until no drive of `key` runs, then takes the slot regardless of
  // whether it is due (drive_now). Same REQUIRES as claim().
  void acquire(const Key& key);
  // The claimed drive begins now: the interval counts from here.
  void started(const Key& key, TimePoint now);
  // The claimed drive ended; frees the slot.
  void finished(const Key& key, TimePoint now, LogType worst_type);
  // Gives back a claimed slot whose drive never started.
  void release(const Key& key);

  bool running(const Key& key) const;
  int running_count() const;

  // Every known client passenger, sorted by client and passenger.
  std::vector<PassengerSchedule> snapshot() const;

 private:
  struct Record {
    Clock::duration interval{};
    bool configured = false;  // False: known only through expedite/acquire.
    bool expedited = false;
    bool running = false;
    TimePoint first_seen{};
    std::optional<TimePoint> last_start;
    std::optional<TimePoint> last_end;
    std::optional<LogType> last_worst_type;
  };
  static TimePoint next_due(const Record& r);

  mutable std::mutex mu_;
  std::condition_variable freed_;  // A slot was freed.
  std::map<Key, Record> records_;  // Guarded by mu_.
};

}  // namespace databus::dispatch
