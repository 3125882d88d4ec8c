// SettingSpec as JSON: the JSON Schema property and the catalog entry
// (docs/architecture.md, "Component specs").
#include <cmath>
#include <cstdint>

#include "databus/setting.h"

namespace databus {
namespace {

using nlohmann::json;

// The JSON Schema "type" keyword of a setting type; null for any.
json schema_type(SettingType type) {
  switch (type) {
    case SettingType::string:
    case SettingType::choice:
      return "string";
    case SettingType::boolean:
      return "boolean";
    case SettingType::integer:
      return "integer";
    case SettingType::number:
      return "number";
    case SettingType::string_list:
    case SettingType::list:
      return "array";
    case SettingType::string_map:
    case SettingType::object:
      return "object";
    case SettingType::any:
      break;
  }
  return nullptr;
}

bool has_range(SettingType type) {
  return type == SettingType::integer || type == SettingType::number;
}

// A bound as JSON: whole numbers stay integers, so that a schema reads 65535.
json bound(double value) {
  if (value == std::floor(value) && std::fabs(value) < 9e15) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

}  // namespace

json SettingSpec::json_schema() const {
  json out = json::object();
  const json t = schema_type(type);
  // An optional setting may be null (it means the default).
  if (!t.is_null()) out["type"] = required ? t : json::array({t, "null"});
  if (has_range(type)) {
    if (!std::isinf(minimum))
      out[exclusive_minimum ? "exclusiveMinimum" : "minimum"] = bound(minimum);
    if (!std::isinf(maximum)) out["maximum"] = bound(maximum);
  }
  if (type == SettingType::choice) {
    out["enum"] = choices;
    if (!required) out["enum"].push_back(nullptr);
  }
  if (type == SettingType::string_list) out["items"] = {{"type", "string"}};
  if (type == SettingType::string_map) out["additionalProperties"] = {{"type", "string"}};
  if (!required) out["default"] = default_value;
  out["description"] = description;
  if (secret) {
    out["writeOnly"] = true;
    out["x-databus-secret"] = true;
  }
  if (host != HostAccess::none) out["x-databus-host"] = std::string(to_string(host));
  return out;
}

json SettingSpec::to_json() const {
  json out = {{"key", key},
              {"type", std::string(to_string(type))},
              {"describe_type", describe_type()},
              {"description", description},
              {"required", required},
              {"secret", secret},
              {"host", std::string(to_string(host))}};
  if (!required) out["default"] = default_value;
  if (has_range(type)) {
    out["minimum"] = std::isinf(minimum) ? json(nullptr) : bound(minimum);
    out["maximum"] = std::isinf(maximum) ? json(nullptr) : bound(maximum);
    out["exclusive_minimum"] = exclusive_minimum;
  }
  if (type == SettingType::choice) out["choices"] = choices;
  return out;
}

}  // namespace databus
