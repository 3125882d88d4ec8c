#include "registry/host_access.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "databus/error.h"

namespace databus::host_access {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// `p` with `.` and `..` resolved lexically and no trailing separator.
fs::path clean(const fs::path& p) {
  fs::path n = p.lexically_normal();
  if (n.has_relative_path() && n.filename().empty()) n = n.parent_path();
  return n;
}

bool under(const fs::path& p, const fs::path& root) {
  return std::mismatch(root.begin(), root.end(), p.begin(), p.end()).first == root.end();
}

// The real path of `p` as the kernel would follow it (symlinks of the
// existing part, then `..`), or nullopt when it cannot be told.
std::optional<fs::path> real(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  if (ec) return std::nullopt;
  return clean(r);
}

bool inside_root(const fs::path& written, const std::string& root_text) {
  const fs::path root(root_text);
  if (!root.is_absolute() || !under(clean(written), clean(root))) return false;
  const std::optional<fs::path> real_path = real(written);
  const std::optional<fs::path> real_root = real(root);
  return real_path && real_root && under(*real_path, *real_root);
}

std::string describe(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The value `settings` gives `s`, or its default.
json written(const SettingSpec& s, const json& settings) {
  return settings.is_object() && settings.contains(s.key) ? settings.at(s.key) : s.default_value;
}

struct Failure {
  std::string key;
  std::string why;
};

// Checks one host setting of a new component against the same setting of
// `before` (null: no equal component stored). `resolved` is the new value
// with `${env:NAME}` replaced.
std::optional<Failure> check_setting(const SettingSpec& s, const json& value, const json& resolved,
                                     const json* before, const HostDelegation& delegation) {
  if (value == s.default_value || (before != nullptr && value == *before)) return std::nullopt;
  if (s.host == HostAccess::environment && value.is_object()) {
    // Variable by variable: one stored with the same value, or one whose
    // name root delegated. Values are secret: only names are reported.
    for (const auto& [name, v] : value.items()) {
      const bool kept = before != nullptr && before->is_object() && before->contains(name) &&
                        before->at(name) == v;
      const bool allowed = std::find(delegation.environment.begin(), delegation.environment.end(),
                                     name) != delegation.environment.end();
      if (!kept && !allowed) {
        return Failure{s.key, "variable " + name +
                                  " is not among the environment variables root "
                                  "delegated to this client"};
      }
    }
    return std::nullopt;
  }
  std::string why;
  if (delegated(s.host, resolved, delegation, &why)) return std::nullopt;
  return Failure{s.key, why};
}

// The first host setting of `ref` that neither `before` (may be null) nor
// `delegation` vouches for.
std::optional<Failure> first_failure(const ComponentSpec& spec, const ComponentRef& ref,
                                     const json& resolved, const ComponentRef* before,
                                     const HostDelegation& delegation) {
  for (const SettingSpec& s : spec.settings) {
    if (s.host == HostAccess::none) continue;
    const json old = before != nullptr ? written(s, before->settings) : json();
    std::optional<Failure> f =
        check_setting(s, written(s, ref.settings), resolved.value(s.key, json()),
                      before != nullptr ? &old : nullptr, delegation);
    if (f) return f;
  }
  return std::nullopt;
}

bool has_host_settings(const ComponentSpec& spec) {
  return std::any_of(spec.settings.begin(), spec.settings.end(),
                     [](const SettingSpec& s) { return s.host != HostAccess::none; });
}

struct ListOf {
  const char* name;
  ComponentKind kind;
  std::vector<ComponentRef> (*refs)(const ClientPassenger&);
};

const ListOf kLists[] = {
    {"pullers", ComponentKind::puller, [](const ClientPassenger& p) { return p.pullers; }},
    {"processors", ComponentKind::processor, [](const ClientPassenger& p) { return p.processors; }},
    {"pushers", ComponentKind::pusher, [](const ClientPassenger& p) { return p.pushers; }},
    {"queue", ComponentKind::queue,
     [](const ClientPassenger& p) { return std::vector<ComponentRef>{p.queue}; }},
};

// `refs[index]` of `list` against the `stored` components of that list.
void check_component(const Registry& registry, const ListOf& list,
                     const std::vector<ComponentRef>& refs, std::size_t index,
                     const std::vector<ComponentRef>& stored, const std::string& where,
                     const HostDelegation& delegation) {
  const ComponentRef& ref = refs[index];
  const ComponentSpec* spec = registry.find(list.kind, ref.module);
  if (spec == nullptr || !has_host_settings(*spec)) return;
  const json resolved = registry.resolve_settings(list.kind, ref, where);
  // Stored components of the same module, in order; the one at the same
  // rank among them is the one named when none vouches for every setting.
  std::vector<const ComponentRef*> same;
  for (const ComponentRef& s : stored) {
    if (registry.find(list.kind, s.module) == spec) same.push_back(&s);
  }
  if (same.empty()) same.push_back(nullptr);
  std::size_t rank = 0;
  for (std::size_t earlier = 0; earlier < index; ++earlier) {
    if (registry.find(list.kind, refs[earlier].module) == spec) ++rank;
  }
  std::optional<Failure> reported;
  for (std::size_t i = 0; i < same.size(); ++i) {
    std::optional<Failure> f = first_failure(*spec, ref, resolved, same[i], delegation);
    if (!f) return;
    if (!reported || i == rank) reported = f;
  }
  throw ForbiddenError(where + ": setting '" + reported->key +
                       "' reaches the host; only root's administrators may add or change it "
                       "(" +
                       reported->why + "). Nothing was saved.");
}

// Adds the NAME of every `${env:NAME}` in the strings of `value` (nested
// too) to `out`, with the syntax resolve_env_references() accepts.
void env_references(const json& value, std::set<std::string>& out) {
  if (value.is_structured()) {
    for (const json& item : value) env_references(item, out);
    return;
  }
  if (!value.is_string()) return;
  const std::string& text = value.get_ref<const std::string&>();
  static constexpr std::string_view kOpen = "${env:";
  for (std::size_t at = text.find(kOpen); at != std::string::npos; at = text.find(kOpen, at + 1)) {
    const std::size_t begin = at + kOpen.size();
    std::size_t end = begin;
    auto name_char = [&](char ch, bool first) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
             (!first && ch >= '0' && ch <= '9');
    };
    while (end < text.size() && name_char(text[end], end == begin)) ++end;
    if (end > begin && end < text.size() && text[end] == '}') {
      out.insert(text.substr(begin, end - begin));
    }
  }
}

// The references of every component of `config`.
std::set<std::string> env_references(const ClientConfig& config) {
  std::set<std::string> out;
  for (const ClientPassenger& p : config.passengers) {
    for (const ListOf& list : kLists) {
      for (const ComponentRef& ref : list.refs(p)) env_references(ref.settings, out);
    }
  }
  for (const ComponentRef& ref : config.alerts.pushers) env_references(ref.settings, out);
  return out;
}

// A client may reference a variable of the Databus process only when its
// stored configuration already does, or root delegated that name.
void check_env_references(const ComponentRef& ref, const std::set<std::string>& stored,
                          const HostDelegation& delegation, const std::string& where) {
  if (!ref.settings.is_object()) return;
  for (const auto& [key, value] : ref.settings.items()) {
    std::set<std::string> names;
    env_references(value, names);
    for (const std::string& name : names) {
      const bool allowed = stored.contains(name) ||
                           std::find(delegation.environment.begin(), delegation.environment.end(),
                                     name) != delegation.environment.end();
      if (!allowed) {
        throw ForbiddenError(where + ": setting '" + key + "' references ${env:" + name +
                             "}, a variable of the Databus process's environment; only root's "
                             "administrators may add such a reference (or delegate the name in "
                             "host_access.environment). Nothing was saved.");
      }
    }
  }
}

}  // namespace

bool inside_directories(const std::string& path, const std::vector<std::string>& roots) {
  if (path.empty() || !fs::path(path).is_absolute()) return false;
  return std::any_of(roots.begin(), roots.end(),
                     [&](const std::string& root) { return inside_root(fs::path(path), root); });
}

bool delegated_command(const json& argv, const HostDelegation& delegation) {
  if (!argv.is_array() || argv.empty() || !argv[0].is_string()) return false;
  const fs::path program(argv[0].get<std::string>());
  if (!program.is_absolute()) return false;
  return std::any_of(delegation.commands.begin(), delegation.commands.end(),
                     [&](const std::string& c) { return clean(fs::path(c)) == clean(program); });
}

bool delegated(HostAccess access, const json& value, const HostDelegation& delegation,
               std::string* why) {
  std::string reason;
  bool ok = false;
  switch (access) {
    case HostAccess::none:
      return true;
    case HostAccess::command:
      ok = delegated_command(value, delegation);
      reason = "program " +
               (value.is_array() && !value.empty() ? describe(value[0]) : describe(value)) +
               " is not among the commands root delegated to this client";
      break;
    case HostAccess::path:
      ok =
          value.is_string() && inside_directories(value.get<std::string>(), delegation.directories);
      reason = "path " + describe(value) +
               " is not inside a directory root delegated to this client (`..` and symlinks "
               "resolved)";
      break;
    case HostAccess::network:
      reason = "reaching the host's own and private network addresses is root's decision";
      break;
    case HostAccess::environment:
      ok = value.is_object();
      if (!ok) {
        reason = "environment must be an object";
        break;
      }
      for (const auto& [name, v] : value.items()) {
        if (std::find(delegation.environment.begin(), delegation.environment.end(), name) ==
            delegation.environment.end()) {
          ok = false;
          reason = "variable " + name +
                   " is not among the environment variables root delegated to this client";
          break;
        }
      }
      break;
  }
  if (!ok && why != nullptr) *why = reason;
  return ok;
}

void check_delegated_paths(const ComponentSpec& spec, const json& settings,
                           const HostDelegation& delegation, const std::string& where) {
  for (const SettingSpec& s : spec.settings) {
    if (s.host != HostAccess::path || !settings.is_object() || !settings.contains(s.key)) continue;
    const json& value = settings.at(s.key);
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) continue;
    const fs::path written_path(value.get<std::string>());
    if (!written_path.is_absolute()) continue;
    bool meant_inside = false;
    for (const std::string& root : delegation.directories) {
      meant_inside = meant_inside || under(clean(written_path), clean(fs::path(root)));
    }
    if (meant_inside && !inside_directories(value.get<std::string>(), delegation.directories)) {
      throw ForbiddenError(where + ": setting '" + s.key + "': path " + describe(value) +
                           " lies in a directory root delegated to this client but now resolves "
                           "outside it (a symlink?); the component is not made");
    }
  }
}

void check_host_changes(const Registry& registry, const ClientConfig& before,
                        const ClientConfig& after) {
  const std::string client = "client '" + after.id + "'";
  if (before.host_access != after.host_access) {
    throw ForbiddenError(client +
                         ": field 'host_access' is set only by root's administrators or in the "
                         "file on disk. Nothing was saved.");
  }
  const HostDelegation delegation = before.host_access.value_or(HostDelegation{});
  const std::set<std::string> stored_references = env_references(before);
  for (const ClientPassenger& p : after.passengers) {
    const ClientPassenger* old = before.find_passenger(p.name);
    for (const ListOf& list : kLists) {
      const std::vector<ComponentRef> refs = list.refs(p);
      const std::vector<ComponentRef> stored =
          old != nullptr ? list.refs(*old) : std::vector<ComponentRef>{};
      for (std::size_t i = 0; i < refs.size(); ++i) {
        const std::string where = client + ", passenger '" + p.name + "', " + list.name + "[" +
                                  std::to_string(i) + "] '" + refs[i].module + "'";
        check_env_references(refs[i], stored_references, delegation, where);
        check_component(registry, list, refs, i, stored, where, delegation);
      }
    }
  }
  // The alert pushers are pushers like any other (docs/configuration.md
  // "Alerts"): their host settings follow the same rules.
  const ListOf alert_pushers{"alerts.pushers", ComponentKind::pusher, nullptr};
  const std::vector<ComponentRef>& refs = after.alerts.pushers;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    const std::string where =
        client + ", alerts.pushers[" + std::to_string(i) + "] '" + refs[i].module + "'";
    check_env_references(refs[i], stored_references, delegation, where);
    check_component(registry, alert_pushers, refs, i, before.alerts.pushers, where, delegation);
  }
}

}  // namespace databus::host_access
