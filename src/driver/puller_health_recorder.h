// PullerHealthRecorder: what one drive does with the health of its
// passenger's pullers (puller_health.h): reads the stored record before the
// pulls, records each pull, and writes the record back after them when it
// says something new, then tells the observer about every puller whose state
// changed. Internal to the driver.
#pragma once

#include <functional>
#include <string>

#include "databus/client.h"
#include "databus/database.h"
#include "databus/observer.h"
#include "databus/puller_health.h"

namespace databus {

class PullerHealthRecorder {
 public:
  // A healthy record is written again only when its last success is older
  // than this: a drive every second must not cost a durable write each.
  static constexpr Clock::duration kRefreshSuccess = std::chrono::minutes(1);

  // `warn` receives a line for the drive's log when the record cannot be
  // read or written (the drive goes on: health is bookkeeping, not data).
  PullerHealthRecorder(Database& database, const std::string& client_id,
                       const ClientPassenger& passenger, DispatcherObserver* observer,
                       std::function<void(std::string)> warn);

  // Reads the stored record. Call before the pulls.
  void begin(TimePoint now);
  // One pull of `module` at `now`; `error` empty for a success.
  void record(const std::string& module, TimePoint now, const std::string& error);
  // Writes the record when needed and reports state changes. Call once,
  // after the pulls.
  void finish(TimePoint now);

  const PullerHealthMap& health() const { return health_; }

 private:
  Database& database_;
  const std::string& client_id_;
  const ClientPassenger& passenger_;
  DispatcherObserver* observer_;
  std::function<void(std::string)> warn_;
  PullerHealthMap stored_;  // As read.
  PullerHealthMap health_;  // As recorded by this drive.
  bool readable_ = true;    // False: the stored record could not be read; never overwritten.
};

}  // namespace databus
