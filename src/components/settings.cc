#include "components/settings.h"

#include <cctype>

#include "databus/error.h"

namespace databus::component_settings {

namespace {

const nlohmann::json* find(const ComponentEnv& env, const std::string& key) {
  if (!env.settings.is_object() || !env.settings.contains(key)) return nullptr;
  const nlohmann::json& value = env.settings.at(key);
  return value.is_null() ? nullptr : &value;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::string where(const ComponentEnv& env) {
  return env.module + " of passenger " + env.passenger + " of client " + env.client_id;
}

std::vector<std::string> string_list(const ComponentEnv& env, const std::string& key,
                                     const std::vector<std::string>& fallback) {
  const nlohmann::json* value = find(env, key);
  if (value == nullptr) return fallback;
  if (!value->is_array()) throw ConfigError(where(env), key, "must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *value) {
    if (!item.is_string()) throw ConfigError(where(env), key, "must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::int64_t integer(const ComponentEnv& env, const std::string& key, std::int64_t fallback,
                     std::int64_t min) {
  const nlohmann::json* value = find(env, key);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer() || value->get<std::int64_t>() < min) {
    throw ConfigError(where(env), key, "must be a whole number of at least " + std::to_string(min));
  }
  return value->get<std::int64_t>();
}

double number(const ComponentEnv& env, const std::string& key, double fallback, double min) {
  const nlohmann::json* value = find(env, key);
  if (value == nullptr) return fallback;
  if (!value->is_number() || value->get<double>() < min) {
    throw ConfigError(where(env), key, "must be a number of at least " + std::to_string(min));
  }
  return value->get<double>();
}

std::vector<std::pair<std::string, std::string>> string_map(const ComponentEnv& env,
                                                            const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  const nlohmann::json* value = find(env, key);
  if (value == nullptr) return out;
  if (!value->is_object()) throw ConfigError(where(env), key, "must be an object of strings");
  for (const auto& item : value->items()) {
    // The value is not shown: it may be a secret.
    if (!item.value().is_string()) {
      throw ConfigError(where(env), key, "the value of '" + item.key() + "' must be a string");
    }
    out.emplace_back(item.key(), item.value().get<std::string>());
  }
  return out;
}

std::vector<std::string> normal_extensions(const ComponentEnv& env, const std::string& key,
                                           const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const std::string& extension : given) {
    std::string e = lower(extension);
    if (!e.empty() && e[0] != '.') e.insert(e.begin(), '.');
    if (e.size() < 2) throw ConfigError(where(env), key, "an extension must not be empty");
    out.push_back(std::move(e));
  }
  return out;
}

bool has_extension(const std::string& name, const std::vector<std::string>& extensions) {
  const std::string n = lower(name);
  for (const std::string& e : extensions) {
    if (n.size() >= e.size() && n.compare(n.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

}  // namespace databus::component_settings
