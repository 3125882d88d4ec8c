// SettingSpec: one setting a component declares, with its type and range.
// The registry checks every value config.json gives against it, the same way
// for every component, on save, in `databus check` and when a drive makes the
// component (docs/configuration.md, "Setting types and ranges").
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/host_access.h"

namespace databus {

// What a setting's value must be. A secret is a string (or a string_map)
// with `secret` set; an enum is a `choice`.
enum class SettingType {
  any,          // Not checked by the registry; the component reads it.
  string,       // A JSON string.
  boolean,      // true or false.
  integer,      // A whole number within [minimum, maximum].
  number,       // A number (whole or not) within the bounds.
  choice,       // One of `choices`, a string (an enum).
  string_list,  // A list of strings.
  string_map,   // An object whose values are all strings.
  list,         // A list of any JSON values; the component checks the items.
  object,       // Any JSON object; the component checks its members.
};

// "any", "string", "boolean", "integer", "number", "choice", "list of
// strings", "object of strings", "list", "object".
std::string_view to_string(SettingType type);

// One setting of a component, as written in the object form of a component
// reference in config.json. Declared as an aggregate and typed with one of
// the builders, e.g.
//   SettingSpec{"port", "Server port.", 0}.integer(0, 65535)
//   SettingSpec{"timeout_seconds", "Seconds a request may take.", 30}.number_above(0)
struct SettingSpec {
  std::string key;
  std::string description;       // For users; becomes the docs.
  nlohmann::json default_value;  // null with required = true: must be given.
  bool required = false;
  bool secret = false;  // Never shown in logs, errors or the web interface.
  // What the setting reaches on the host. Anything but none is the
  // operator's decision: a client's administrator may add or change it only
  // within root's delegation (host_access.h; docs/security.md, "Host
  // access"). Every setting naming a program, a file-system path or a
  // program's environment must say so here.
  HostAccess host = HostAccess::none;

  SettingType type = SettingType::any;
  // integer and number: the allowed range, both ends included unless
  // exclusive_minimum (then the value must be greater than minimum).
  double minimum = -std::numeric_limits<double>::infinity();
  double maximum = std::numeric_limits<double>::infinity();
  bool exclusive_minimum = false;
  std::vector<std::string> choices;  // choice: the allowed words.

  // Builders: each returns this spec with the type (and range) set.
  SettingSpec string() &&;
  SettingSpec boolean() &&;
  SettingSpec integer(double min, double max = std::numeric_limits<double>::infinity()) &&;
  SettingSpec number(double min, double max = std::numeric_limits<double>::infinity()) &&;
  SettingSpec number_above(double min) &&;  // A number greater than `min`.
  SettingSpec one_of(std::vector<std::string> words) &&;
  SettingSpec string_list() &&;
  SettingSpec string_map() &&;
  SettingSpec list() &&;
  SettingSpec object() &&;
  // A string never shown in logs, errors or the web interface (a password,
  // a token): string() with `secret` set.
  SettingSpec secret_string() &&;

  // What is wrong with `value` as this setting's value, or nullopt when it
  // fits the type and range. null fits every optional setting (it means the
  // default). The message never quotes a secret setting's value, e.g.
  // "must be a whole number from 0 to 65535, not 99999".
  std::optional<std::string> problem(const nlohmann::json& value) const;

  // The type and range for users, e.g. "whole number, 0 to 65535",
  // "number > 0", "one of \"none\", \"basic\", \"bearer\"".
  std::string describe_type() const;

  // This setting as a JSON Schema (draft 2020-12) property: "type", the
  // range ("minimum", "maximum", "exclusiveMinimum"), "enum", "default",
  // "description", "writeOnly" for a secret, and the Databus extensions
  // "x-databus-secret" and "x-databus-host" (a HostAccess name other than
  // none). docs/architecture.md, "Component specs".
  nlohmann::json json_schema() const;

  // This setting for the catalog (`databus components --json`): key, type,
  // describe_type(), description, default, required, secret, host, and the
  // range and choices where the type has them.
  nlohmann::json to_json() const;
};

}  // namespace databus
