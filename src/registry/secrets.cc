#include "registry/secrets.h"

#include <algorithm>
#include <cstdlib>

#include "databus/error.h"

namespace databus {

namespace {

bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

std::string resolve_string(const std::string& text, const std::string& where,
                           const std::string& key) {
  static constexpr std::string_view kOpen = "${env:";
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t start = text.find(kOpen, at);
    if (start == std::string::npos) break;
    std::size_t end = start + kOpen.size();
    const std::size_t name_begin = end;
    if (end < text.size() && name_start(text[end])) {
      while (end < text.size() && name_char(text[end])) ++end;
    }
    if (end == name_begin || end >= text.size() || text[end] != '}') {
      out.append(text, at, name_begin - at);  // Not a reference: kept as written.
      at = name_begin;
      continue;
    }
    const std::string name = text.substr(name_begin, end - name_begin);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      throw ConfigError(where, key, "environment variable " + name + " is not set");
    }
    out.append(text, at, start - at);
    out.append(value);
    at = end + 1;
  }
  out.append(text, at, std::string::npos);
  return out;
}

void collect_strings(const nlohmann::json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    if (!value.get_ref<const std::string&>().empty()) out.push_back(value.get<std::string>());
  } else if (value.is_structured()) {
    for (const auto& item : value) collect_strings(item, out);
  }
}

}  // namespace

nlohmann::json resolve_env_references(const nlohmann::json& value, const std::string& where,
                                      const std::string& key) {
  if (value.is_string()) return resolve_string(value.get<std::string>(), where, key);
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(resolve_env_references(item, where, key));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& item : value.items()) {
      out[item.key()] = resolve_env_references(item.value(), where, key);
    }
    return out;
  }
  return value;
}

std::vector<std::string> secret_values(const ComponentSpec& spec, const nlohmann::json& settings) {
  std::vector<std::string> out;
  if (!settings.is_object()) return out;
  for (const SettingSpec& s : spec.settings) {
    if (s.secret && settings.contains(s.key)) collect_strings(settings.at(s.key), out);
  }
  return out;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  // Longest first, so a secret holding another is hidden whole.
  std::vector<std::string> sorted = secrets;
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : sorted) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace databus
