// Entries and helpers the parts of the storage conformance suite share
// (database_conformance.h).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "databus/queue_entry.h"
#include "databus/time.h"
#include "databus/uuid.h"

namespace databus::conformance {

inline const std::string kModule = "databus.passenger.demo.demo_passenger_1";
inline const std::string kOtherModule = "databus.passenger.demo.demo_passenger_2";
inline const std::string kPuller = "databus.puller.demo.demo_puller_1";
inline const std::vector<std::string> kProcessors = {"databus.processor.demo.demo_processor_1",
                                                     "databus.processor.demo.demo_processor_2"};
inline const std::vector<std::string> kPushers = {"databus.pusher.demo.demo_pusher_1"};
inline const TimePoint kT0 = parse_iso("2022-11-06T22:13:01.294628");

inline TimePoint minutes_after_t0(int n) { return kT0 + std::chrono::minutes(n); }

inline QueueEntry make_entry(std::string external_id, TimePoint pulled,
                             std::string module = kModule, std::string puller = kPuller,
                             std::string source = "DEMO_SYSTEM") {
  Passenger p;
  p.external_id = std::move(external_id);
  p.internal_id = new_uuid();
  p.source_system = std::move(source);
  p.passenger_module = std::move(module);
  p.puller_module = std::move(puller);
  p.pull_datetime = pulled;
  return QueueEntry::seat(std::move(p), kProcessors, kPushers);
}

inline void set_all(std::vector<StepState>& steps, StepStatus status) {
  for (auto& s : steps) s.status = status;
}

inline std::set<std::string> external_ids(const std::vector<QueueEntry>& entries) {
  std::set<std::string> ids;
  for (const auto& e : entries) ids.insert(e.passenger.external_id);
  return ids;
}

inline std::vector<std::string> external_id_list(const std::vector<QueueEntry>& entries) {
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.push_back(e.passenger.external_id);
  return ids;
}

inline const std::string kBinary = std::string("\x89PNG\r\n\x1a\n\0\0\0\xff\xfe\x00\xff", 15);

}  // namespace databus::conformance
