// Flow history: what each client passenger moved, minute by minute, kept in
// the store (Database::add_flow_counts()) so that every node of a cluster
// and every restart shows the same dashboard charts (docs/operations.md
// "Monitoring"). A minute's counts are the sum of what every drive that
// ended in it added.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "databus/time.h"

namespace databus {

struct FlowCounts {
  std::int64_t pulled = 0;    // Passengers the pullers returned.
  std::int64_t pushed = 0;    // Pusher deliveries.
  std::int64_t failed = 0;    // Failed steps (pullers, processors, pushers).
  std::int64_t drives = 0;    // Drives that ended.
  std::int64_t drive_ms = 0;  // Their durations, added up.

  FlowCounts& operator+=(const FlowCounts& o) {
    pulled += o.pulled;
    pushed += o.pushed;
    failed += o.failed;
    drives += o.drives;
    drive_ms += o.drive_ms;
    return *this;
  }
  bool operator==(const FlowCounts&) const = default;
};

// The start of the minute `t` falls in (UTC).
inline TimePoint flow_minute_of(TimePoint t) {
  return std::chrono::time_point_cast<Clock::duration>(std::chrono::floor<std::chrono::minutes>(t));
}

// Counts by the start of their minute, oldest first.
using FlowHistory = std::map<TimePoint, FlowCounts>;

// --- The document form, for engines that keep the history as client
// passenger state documents (Database's default implementation): one
// document a day, named kFlowDayPrefix + "YYYYMMDD", holding
// {"<minute, seconds since the epoch>": [pulled, pushed, failed, drives,
// drive_ms], ...}.
inline constexpr std::string_view kFlowDayPrefix = "flow.";

inline std::string flow_day_name(TimePoint minute) {
  const auto day = std::chrono::floor<std::chrono::days>(minute);
  const std::chrono::year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d%02u%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return std::string(kFlowDayPrefix) + text;
}

// Throws nlohmann::json::exception on a malformed document.
inline FlowHistory decode_flow_day(const std::string& text) {
  FlowHistory out;
  const nlohmann::json day = nlohmann::json::parse(text);
  for (const auto& [key, v] : day.items()) {
    const TimePoint minute{std::chrono::seconds(std::stoll(key))};
    out[minute] = FlowCounts{v.at(0).get<std::int64_t>(), v.at(1).get<std::int64_t>(),
                             v.at(2).get<std::int64_t>(), v.at(3).get<std::int64_t>(),
                             v.at(4).get<std::int64_t>()};
  }
  return out;
}

inline std::string encode_flow_day(const FlowHistory& day) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [minute, c] : day) {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(minute.time_since_epoch()).count();
    out[std::to_string(seconds)] = {c.pulled, c.pushed, c.failed, c.drives, c.drive_ms};
  }
  return out.dump();
}

}  // namespace databus
