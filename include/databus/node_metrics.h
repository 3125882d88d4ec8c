// NodeMetrics: what this node's dispatcher did since it started, counted from
// its observer events (observer.h), for GET /metrics (docs/operations.md
// "Monitoring"). Every Dispatcher has one (Dispatcher::metrics()); it is told
// every event before the ticket's own observer.
//
// Labels are the configuration's names only: client, passenger type and
// module. No count is kept per passenger (no ids), so the number of series is
// bounded by the configuration, not by the traffic.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "databus/flow_history.h"
#include "databus/observer.h"
#include "databus/time.h"

namespace databus {

// Upper bounds, in seconds, of the drive-duration histogram's buckets (the
// +Inf bucket is the drive count).
inline constexpr std::array<double, 12> kDriveDurationBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                                                 2.5,  5,    10,  30,   60,  300};

// Counts of one module (puller, processor or pusher) of a client passenger.
struct StepCounters {
  std::uint64_t pulled = 0;     // Passengers a puller returned.
  std::uint64_t seated = 0;     // ... of them durably seated in the queue.
  std::uint64_t processed = 0;  // Processor runs that completed.
  std::uint64_t pushed = 0;     // Pusher deliveries.
  std::uint64_t failed = 0;     // Failures of the step (step_failed).
  std::uint64_t quarantined = 0;
};

// The drives of one client passenger.
struct DriveCounters {
  // By the log's worst type: info ("ok"), warning, error.
  std::uint64_t ok = 0, warning = 0, error = 0;
  // Drives that took at most kDriveDurationBuckets[i] seconds (cumulative).
  // Drives whose duration is known (those the dispatcher started; a
  // drive_passenger_complete without drive_started is counted above only).
  std::uint64_t timed = 0;
  std::array<std::uint64_t, kDriveDurationBuckets.size()> buckets{};
  double seconds_sum = 0;
  std::uint64_t count() const { return ok + warning + error; }
};

class NodeMetrics final : public DispatcherObserver {
 public:
  // (client, passenger type, module) and (client, passenger type).
  using StepKey = std::tuple<std::string, std::string, std::string>;
  using PassengerKey = std::pair<std::string, std::string>;

  struct Snapshot {
    std::map<StepKey, StepCounters> steps;
    std::map<PassengerKey, DriveCounters> drives;
    TimePoint started{};  // When the NodeMetrics was made.
  };

  NodeMetrics();

  // A copy of every count, taken at once.
  Snapshot snapshot() const;
  // The pulled, pushed and failed counts of every module of a client
  // passenger, added up (the other fields 0).
  FlowCounts flow_totals(const std::string& client_id, const std::string& passenger) const;

  void drive_started(const std::string& client_id, const std::string& passenger) override;
  void drive_passenger_complete(const std::string& client_id, const std::string& passenger,
                                const Log& log) override;
  void passengers_pulled(const std::string& client_id, const std::string& passenger,
                         const std::string& puller, std::size_t count) override;
  void passenger_seated(const std::string& client_id, const QueueEntry& entry) override;
  void passenger_processed(const std::string& client_id, const QueueEntry& entry,
                           const std::string& processor) override;
  void passenger_pushed(const std::string& client_id, const QueueEntry& entry,
                        const std::string& pusher) override;
  void step_failed(const std::string& client_id, const std::string& passenger,
                   const std::string& module, const QueueEntry* entry,
                   const std::string& error) override;
  void step_quarantined(const std::string& client_id, const std::string& passenger,
                        const std::string& module, const QueueEntry& entry,
                        const std::string& error) override;

 private:
  StepCounters& step_locked(const std::string& client_id, const std::string& passenger,
                            const std::string& module);

  mutable std::mutex mu_;
  Snapshot counts_;
  // Start of the running drive of each client passenger (a lane runs one
  // drive at a time).
  std::map<PassengerKey, std::chrono::steady_clock::time_point> running_;
};

}  // namespace databus
