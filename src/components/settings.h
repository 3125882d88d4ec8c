// Reading typed settings of a component (ComponentEnv::settings) with errors
// that name the component and the key. Shared by the connectors; the
// directory connectors' string/bool helpers live in directory_internal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "databus/component.h"

namespace databus::component_settings {

// "<module> of passenger <p> of client <c>": the `where` of ConfigErrors.
std::string where(const ComponentEnv& env);

// A list of strings; absent or null gives `fallback`. Throws ConfigError for
// any other type.
std::vector<std::string> string_list(const ComponentEnv& env, const std::string& key,
                                     const std::vector<std::string>& fallback);

// A whole number >= `min`; absent or null gives `fallback`.
std::int64_t integer(const ComponentEnv& env, const std::string& key, std::int64_t fallback,
                     std::int64_t min);

// A number >= `min` (whole or not); absent or null gives `fallback`.
double number(const ComponentEnv& env, const std::string& key, double fallback, double min);

// An object whose values are all strings; absent or null gives none.
std::vector<std::pair<std::string, std::string>> string_map(const ComponentEnv& env,
                                                            const std::string& key);

// Extensions as given by users (".xlsx", "xlsx", ".XLSX") in one form:
// lower case with a leading dot. Throws ConfigError(key) for an empty one.
std::vector<std::string> normal_extensions(const ComponentEnv& env, const std::string& key,
                                           const std::vector<std::string>& given);

// True when `name` ends with one of `extensions` (normal form), ignoring case.
bool has_extension(const std::string& name, const std::vector<std::string>& extensions);

}  // namespace databus::component_settings
