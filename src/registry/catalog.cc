// The catalog and the settings tables (catalog.h); the config.json schema is
// in config_schema.cc.
#include "databus/catalog.h"

#include "databus/error.h"

namespace databus {
namespace {

using nlohmann::json;

constexpr ComponentKind kKinds[] = {ComponentKind::passenger, ComponentKind::puller,
                                    ComponentKind::processor, ComponentKind::pusher,
                                    ComponentKind::queue,     ComponentKind::database,
                                    ComponentKind::driver};

json spec_json(ComponentKind kind, const ComponentSpec& spec) {
  json settings = json::array();
  for (const SettingSpec& s : spec.settings) settings.push_back(s.to_json());
  return {{"name", spec.name},
          {"kind", std::string(to_string(kind))},
          {"summary", spec.summary},
          {"aliases", spec.aliases},
          {"family", spec.family},
          {"plugin", spec.plugin},
          {"settings", std::move(settings)}};
}

// A table cell: one line, read as text (a "<addr>" is no HTML tag, a "*" no
// emphasis, a "|" no column).
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '*':
        out += "\\*";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The first registered component of any kind named `name`.
const ComponentSpec* find_any(const Registry& registry, const std::string& name) {
  for (ComponentKind kind : kKinds) {
    if (const ComponentSpec* spec = registry.find(kind, name)) return spec;
  }
  return nullptr;
}

}  // namespace

json component_catalog(const Registry& registry) {
  json out = json::object();
  for (ComponentKind kind : kKinds) {
    json list = json::array();
    for (const ComponentSpec* spec : registry.list(kind)) list.push_back(spec_json(kind, *spec));
    out[std::string(to_string(kind)) + "s"] = std::move(list);
  }
  return out;
}

std::string settings_table(const ComponentSpec& spec) {
  if (spec.settings.empty()) return "No settings.\n";
  std::string out = "| setting | type | default | meaning |\n|---|---|---|---|\n";
  for (const SettingSpec& s : spec.settings) {
    std::string meaning = cell(s.description);
    if (s.secret) meaning += " *Secret.*";
    if (s.host != HostAccess::none) {
      meaning += " *Host setting (" + std::string(to_string(s.host)) + ").*";
    }
    // The default as JSON in a code span, where only a pipe needs escaping.
    std::string fallback = "required";
    if (!s.required) {
      fallback = "`";
      for (char c : s.default_value.dump(-1, ' ', false, json::error_handler_t::replace)) {
        fallback += c == '|' ? std::string("\\|") : std::string(1, c);
      }
      fallback += "`";
    }
    out += "| `" + s.key + "` | " + cell(s.describe_type()) + " | " + fallback + " | " + meaning +
           " |\n";
  }
  return out;
}

std::string update_settings_tables(const std::string& text, const Registry& registry) {
  static const std::string kBegin = "<!-- settings: ";
  static const std::string kEnd = "<!-- end settings -->";
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t begin = text.find(kBegin, pos);
    if (begin == std::string::npos) break;
    const std::size_t name_end = text.find(" -->", begin);
    const std::size_t line_end = text.find('\n', begin);
    if (name_end == std::string::npos || line_end == std::string::npos || name_end > line_end) {
      throw Error("a settings marker must be one line: <!-- settings: MODULE -->");
    }
    const std::string name = text.substr(begin + kBegin.size(), name_end - begin - kBegin.size());
    const std::size_t end = text.find(kEnd, line_end);
    if (end == std::string::npos)
      throw Error("the settings table of " + name + " has no end marker");
    const ComponentSpec* spec = find_any(registry, name);
    if (spec == nullptr) throw Error("the settings table of unknown module " + name);
    out += text.substr(pos, line_end + 1 - pos);
    out += settings_table(*spec);
    pos = end;
  }
  return out + text.substr(pos);
}

}  // namespace databus
