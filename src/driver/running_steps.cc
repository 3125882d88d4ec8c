#include "driver/running_steps.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace databus {

using nlohmann::json;

namespace {

std::int64_t micros_of(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

RunningSteps::Span RunningSteps::Span::around(const std::vector<TimePoint>& times) {
  const auto [first, last] = std::minmax_element(times.begin(), times.end());
  constexpr std::int64_t kMargin = 1000;  // One millisecond.
  return Span{micros_of(*first) - kMargin, micros_of(*last) + kMargin};
}

bool RunningSteps::Span::contains(TimePoint t) const {
  const std::int64_t us = micros_of(t);
  return first_us <= us && us <= last_us;
}

std::string RunningSteps::encode() const {
  json out = {{"phase", phase == Phase::process ? "process" : "push"}, {"suspects", suspects}};
  if (group) out["group_pulled_us"] = {group->first_us, group->last_us};
  if (!entry.empty()) out["running"] = {{"entry", entry}, {"module", module}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

std::vector<std::string> ids_of(const json& j, const char* field) {
  if (!j.contains(field)) return {};
  const json& list = j.at(field);
  if (!list.is_array()) throw std::invalid_argument(std::string("running steps: ") + field);
  std::vector<std::string> out;
  for (const json& id : list) {
    if (!id.is_string()) throw std::invalid_argument(std::string("running steps: ") + field);
    out.push_back(id.get<std::string>());
  }
  return out;
}

}  // namespace

RunningSteps RunningSteps::decode(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw std::invalid_argument("running steps: not a JSON object");
  }
  RunningSteps out;
  const json phase = j.value("phase", json("process"));
  if (phase == "push") {
    out.phase = Phase::push;
  } else if (phase != "process") {
    throw std::invalid_argument("running steps: phase");
  }
  out.suspects = ids_of(j, "suspects");
  for (std::string& id : ids_of(j, "group")) out.suspects.push_back(std::move(id));
  if (j.contains("group_pulled_us")) {
    const json& span = j.at("group_pulled_us");
    if (!span.is_array() || span.size() != 2 || !span[0].is_number_integer() ||
        !span[1].is_number_integer() || span[1].get<std::int64_t>() < span[0].get<std::int64_t>()) {
      throw std::invalid_argument("running steps: group_pulled_us");
    }
    out.group = Span{span[0].get<std::int64_t>(), span[1].get<std::int64_t>()};
  }
  if (j.contains("running")) {
    const json& running = j.at("running");
    if (!running.is_object() || !running.value("entry", json()).is_string() ||
        !running.value("module", json()).is_string()) {
      throw std::invalid_argument("running steps: running");
    }
    out.entry = running.at("entry").get<std::string>();
    out.module = running.at("module").get<std::string>();
  }
  return out;
}

}  // namespace databus
