#include "driver/running_steps.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace databus {

using nlohmann::json;

std::string RunningSteps::encode() const {
  json out = {{"phase", phase == Phase::process ? "process" : "push"},
              {"group", group},
              {"suspects", suspects}};
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
  out.group = ids_of(j, "group");
  out.suspects = ids_of(j, "suspects");
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
