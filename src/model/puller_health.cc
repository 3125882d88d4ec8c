#include "databus/puller_health.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace databus {

using nlohmann::json;

PullerHealth::State PullerHealth::state(TimePoint now, Clock::duration interval) const {
  if (last_attempt == TimePoint{}) return State::unknown;
  if (consecutive_failures >= kFailingAfter) return State::failing;
  const Clock::duration stale_after = std::max(kStaleAtLeast, interval * kStaleIntervals);
  // Never succeeded: counted from the first failure.
  const TimePoint since = last_success != TimePoint{} ? last_success : first_failure;
  return now - since >= stale_after ? State::stale : State::ok;
}

void PullerHealth::record(TimePoint at, const std::string& error) {
  last_attempt = at;
  if (error.empty()) {
    last_success = at;
    consecutive_failures = 0;
    first_failure = TimePoint{};
  } else {
    if (consecutive_failures++ == 0) first_failure = at;
    last_error = error;
  }
}

std::string_view to_string(PullerHealth::State state) {
  switch (state) {
    case PullerHealth::State::unknown:
      return "unknown";
    case PullerHealth::State::ok:
      return "ok";
    case PullerHealth::State::failing:
      return "failing";
    case PullerHealth::State::stale:
      return "stale";
  }
  return "unknown";
}

namespace {

json time_json(TimePoint t) { return t == TimePoint{} ? json(nullptr) : json(to_iso(t)); }

TimePoint time_of(const json& j, const std::string& field) {
  if (j.is_null()) return TimePoint{};
  if (!j.is_string()) throw std::invalid_argument(field + ": not a time");
  try {
    return parse_iso(j.get<std::string>());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(field + ": " + e.what());
  }
}

}  // namespace

std::string encode_puller_health(const PullerHealthMap& health) {
  json out = json::object();
  for (const auto& [module, h] : health) {
    out[module] = {{"last_attempt", time_json(h.last_attempt)},
                   {"last_success", time_json(h.last_success)},
                   {"first_failure", time_json(h.first_failure)},
                   {"consecutive_failures", h.consecutive_failures},
                   {"last_error", h.last_error}};
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

PullerHealthMap decode_puller_health(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw std::invalid_argument("puller health: not a JSON object");
  }
  PullerHealthMap out;
  for (const auto& [module, item] : j.items()) {
    const std::string field = "puller health of " + module;
    if (!item.is_object()) throw std::invalid_argument(field + ": not an object");
    PullerHealth h;
    h.last_attempt = time_of(item.value("last_attempt", json(nullptr)), field + ".last_attempt");
    h.last_success = time_of(item.value("last_success", json(nullptr)), field + ".last_success");
    h.first_failure = time_of(item.value("first_failure", json(nullptr)), field + ".first_failure");
    const json failures = item.value("consecutive_failures", json(0));
    if (!failures.is_number_integer() || failures.get<long long>() < 0) {
      throw std::invalid_argument(field + ".consecutive_failures: not a whole number");
    }
    h.consecutive_failures = failures.get<int>();
    const json error = item.value("last_error", json(""));
    if (!error.is_string()) throw std::invalid_argument(field + ".last_error: not a string");
    h.last_error = error.get<std::string>();
    out.emplace(module, std::move(h));
  }
  return out;
}

}  // namespace databus
