// client_config_schema() (catalog.h): the JSON Schema of config.json. The
// structure around the components mirrors ClientConfig::parse()
// (src/model/client_config.cc); the components come from the registry's specs.
#include "databus/catalog.h"

namespace databus {
namespace {

using nlohmann::json;

constexpr long long kMaxWholeNumber = 1'000'000'000;  // ClientConfig's bound.

json whole_number(const std::string& description, json fallback) {
  json out = {{"type", "integer"},
              {"minimum", 0},
              {"maximum", kMaxWholeNumber},
              {"description", description}};
  if (!fallback.is_null()) out["default"] = std::move(fallback);
  return out;
}

json list_of(json items, const std::string& description) {
  return {{"type", "array"}, {"items", std::move(items)}, {"description", description}};
}

json ref(const std::string& name) { return {{"$ref", "#/$defs/" + name}}; }

// The names a component of `spec` may be referred to by.
json names_of(const ComponentSpec& spec) {
  json names = json::array({spec.name});
  for (const std::string& alias : spec.aliases) names.push_back(alias);
  return names;
}

// A component reference of `kind`: a module name, or an object whose
// "module" selects the settings it may have. `steps`: a processor's or
// pusher's reference, which may also carry "retry".
json component_ref(const Registry& registry, ComponentKind kind, bool steps) {
  json names = json::array();
  json objects = json::array();
  for (const ComponentSpec* spec : registry.list(kind)) {
    for (const json& name : names_of(*spec)) names.push_back(name);
    json properties = {{"module", {{"enum", names_of(*spec)}}}};
    json required = json::array({"module"});
    for (const SettingSpec& s : spec->settings) {
      properties[s.key] = s.json_schema();
      if (s.required) required.push_back(s.key);
    }
    if (steps) properties["retry"] = ref("retry");
    objects.push_back({{"type", "object"},
                       {"title", spec->name},
                       {"description", spec->summary},
                       {"properties", std::move(properties)},
                       {"required", std::move(required)},
                       {"additionalProperties", false}});
  }
  json any_of = json::array({{{"type", "string"}, {"enum", std::move(names)}}});
  for (json& o : objects) any_of.push_back(std::move(o));
  return {{"anyOf", std::move(any_of)}};
}

// A passenger module: a registered name or alias, or a member of a family.
json passenger_module(const Registry& registry) {
  json names = json::array();
  json any_of = json::array();
  for (const ComponentSpec* spec : registry.list(ComponentKind::passenger)) {
    for (const json& name : names_of(*spec)) names.push_back(name);
    if (spec->family) {
      std::string escaped;
      for (char c : spec->name) {
        if (c == '.') escaped += "\\";
        escaped += c;
      }
      any_of.push_back({{"type", "string"}, {"pattern", "^" + escaped + "\\..+$"}});
    }
  }
  any_of.insert(any_of.begin(), json{{"type", "string"}, {"enum", std::move(names)}});
  return {{"anyOf", std::move(any_of)},
          {"description", "Passenger module; unique within the client."}};
}

json retry_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"description", "How failed steps wait and when they are quarantined."},
          {"properties",
           {{"max_attempts", whole_number("Attempts before quarantine; 0: never.", nullptr)},
            {"initial_delay_seconds", whole_number("Wait after the first failure.", nullptr)},
            {"max_delay_seconds", whole_number("Longest wait between attempts.", nullptr)}}}};
}

json passenger_schema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", json::array({"name"})},
          {"properties",
           {{"name", ref("passenger_module")},
            {"pullers", list_of(ref("puller"), "Pullers, in order.")},
            {"processors", list_of(ref("processor"), "Processors, in order.")},
            {"pushers", list_of(ref("pusher"), "Pushers, in order.")},
            {"queue", ref("queue")},
            {"queue_life_span", whole_number("Days a completed entry lingers before purge.", 1)},
            {"sync_frequency", whole_number("Minutes between drives.", 1)},
            {"sync_interval_seconds",
             whole_number("Seconds between drives; overrides sync_frequency.", nullptr)},
            {"retry", ref("retry")}}}};
}

json user_schema() {
  return {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", json::array({"username"})},
      {"properties",
       {{"username", {{"type", "string"}, {"minLength", 1}}},
        {"password", {{"type", "string"}, {"writeOnly", true}}},
        {"token", {{"type", "string"}, {"writeOnly", true}}},
        {"role",
         {{"enum", json::array({"operator", "administrator"})}, {"default", "administrator"}}}}}};
}

json host_access_schema() {
  const json strings = {{"type", "array"}, {"items", {{"type", "string"}}}};
  return {
      {"type", "object"},
      {"additionalProperties", false},
      {"description", "What root delegates to the client's administrators."},
      {"properties", {{"commands", strings}, {"directories", strings}, {"environment", strings}}}};
}

}  // namespace

json client_config_schema(const Registry& registry) {
  json defs = {{"passenger", passenger_schema()},
               {"passenger_module", passenger_module(registry)},
               {"retry", retry_schema()},
               {"user", user_schema()},
               {"puller", component_ref(registry, ComponentKind::puller, false)},
               {"processor", component_ref(registry, ComponentKind::processor, true)},
               {"pusher", component_ref(registry, ComponentKind::pusher, true)},
               {"queue", component_ref(registry, ComponentKind::queue, false)}};
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"title", "Databus client configuration (config.json)"},
          {"type", "object"},
          {"additionalProperties", false},
          {"properties",
           {{"log_life_span", whole_number("Days logs and customizing backups are kept.", 1)},
            {"passengers", list_of(ref("passenger"), "The client's passengers.")},
            {"users", list_of(ref("user"), "The client's users.")},
            {"host_access", host_access_schema()},
            {"alerts",
             {{"type", "object"},
              {"additionalProperties", false},
              {"properties",
               {{"pushers", list_of(ref("pusher"), "Pushers that receive alerts.")},
                {"quiet_minutes",
                 whole_number("At most one alert per module and kind within this many minutes.",
                              AlertSettings::kDefaultQuietMinutes)}}}}}}},
          {"$defs", std::move(defs)}};
}

}  // namespace databus
