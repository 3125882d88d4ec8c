// Setting values taken from the environment, and keeping secret values out of
// messages. A string anywhere in a component's settings (nested in arrays and
// objects too) may hold `${env:NAME}` references; they are replaced by the
// variable's value when the component is made, so config.json (and the web
// interface showing it) never holds the secret itself.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/registry.h"

namespace databus {

// Returns `value` with every `${env:NAME}` in its strings replaced by the
// environment variable NAME. NAME is [A-Za-z_][A-Za-z0-9_]*; any other text,
// including a malformed reference, is kept as written. Throws
// ConfigError(where, key) naming the variable (never a value) when NAME is not
// set.
nlohmann::json resolve_env_references(const nlohmann::json& value, const std::string& where,
                                      const std::string& key);

// The values, non-empty strings found anywhere in them, of the settings that
// `spec` marks secret, as resolved in `settings`.
std::vector<std::string> secret_values(const ComponentSpec& spec, const nlohmann::json& settings);

// `text` with each occurrence of each secret replaced by "***".
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace databus
