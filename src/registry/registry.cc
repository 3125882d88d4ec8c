#include "databus/registry.h"

#include "databus/error.h"
#include "registry/host_access.h"
#include "registry/secrets.h"

namespace databus {

std::string_view to_string(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::passenger:
      return "passenger";
    case ComponentKind::puller:
      return "puller";
    case ComponentKind::processor:
      return "processor";
    case ComponentKind::pusher:
      return "pusher";
    case ComponentKind::queue:
      return "queue";
    case ComponentKind::database:
      return "database";
    case ComponentKind::driver:
      return "driver";
  }
  return "component";
}

void Registry::add(ComponentKind kind, Entry entry) {
  auto& names = entries_[kind];
  auto& aliases = aliases_[kind];
  const std::string kind_name(to_string(kind));
  if (entry.spec.name.empty()) throw Error("a " + kind_name + " component needs a name");
  auto taken = [&](const std::string& n) { return names.count(n) || aliases.count(n); };
  if (taken(entry.spec.name)) {
    throw Error(kind_name + " module '" + entry.spec.name + "' is registered twice");
  }
  for (const auto& alias : entry.spec.aliases) {
    if (taken(alias) || alias == entry.spec.name) {
      throw Error(kind_name + " alias '" + alias + "' is registered twice");
    }
  }
  for (const auto& alias : entry.spec.aliases) aliases[alias] = entry.spec.name;
  entry.spec.plugin = registering_plugin_;
  const std::string name = entry.spec.name;
  names.emplace(name, std::move(entry));
}

void Registry::add_passenger(ComponentSpec spec, PassengerMaker maker) {
  Entry e{std::move(spec)};
  e.passenger = std::move(maker);
  add(ComponentKind::passenger, std::move(e));
}
void Registry::add_puller(ComponentSpec spec, PullerMaker maker) {
  Entry e{std::move(spec)};
  e.puller = std::move(maker);
  add(ComponentKind::puller, std::move(e));
}
void Registry::add_processor(ComponentSpec spec, ProcessorMaker maker) {
  Entry e{std::move(spec)};
  e.processor = std::move(maker);
  add(ComponentKind::processor, std::move(e));
}
void Registry::add_pusher(ComponentSpec spec, PusherMaker maker) {
  Entry e{std::move(spec)};
  e.pusher = std::move(maker);
  add(ComponentKind::pusher, std::move(e));
}
void Registry::add_queue(ComponentSpec spec, QueueMaker maker) {
  Entry e{std::move(spec)};
  e.queue = std::move(maker);
  add(ComponentKind::queue, std::move(e));
}
void Registry::add_database(ComponentSpec spec, DatabaseMaker maker) {
  Entry e{std::move(spec)};
  e.database = std::move(maker);
  add(ComponentKind::database, std::move(e));
}
void Registry::add_driver(ComponentSpec spec, DriverMaker maker) {
  Entry e{std::move(spec)};
  e.driver = std::move(maker);
  add(ComponentKind::driver, std::move(e));
}

const ComponentSpec* Registry::find(ComponentKind kind, std::string_view name) const {
  const auto names = entries_.find(kind);
  if (names == entries_.end()) return nullptr;
  auto it = names->second.find(name);
  if (it == names->second.end()) {
    const auto& aliases = aliases_.at(kind);
    const auto alias = aliases.find(name);
    if (alias != aliases.end()) return &names->second.find(alias->second)->second.spec;
    // A member "<family>.<suffix>" of the longest family name it extends.
    const ComponentSpec* family = nullptr;
    for (const auto& [canonical, e] : names->second) {
      if (e.spec.family && name.size() > canonical.size() + 1 && name.starts_with(canonical) &&
          name[canonical.size()] == '.' &&
          (family == nullptr || canonical.size() > family->name.size())) {
        family = &e.spec;
      }
    }
    return family;
  }
  return &it->second.spec;
}

const Registry::Entry& Registry::entry(ComponentKind kind, std::string_view name) const {
  const ComponentSpec* spec = find(kind, name);
  if (spec == nullptr) throw UnknownModuleError(std::string(to_string(kind)), std::string(name));
  return entries_.at(kind).find(spec->name)->second;
}

std::vector<const ComponentSpec*> Registry::list(ComponentKind kind) const {
  std::vector<const ComponentSpec*> out;
  const auto names = entries_.find(kind);
  if (names == entries_.end()) return out;
  for (const auto& [name, e] : names->second) out.push_back(&e.spec);
  return out;
}

namespace {

// Resolves `ref`'s settings against `spec`, appending every problem to
// `problems` and going on; see Registry::resolve_settings().
nlohmann::json resolve_against(ComponentKind kind, const ComponentSpec& spec,
                               const ComponentRef& ref, const std::string& where,
                               std::vector<ConfigError>& problems,
                               Registry::EnvReferences env = Registry::EnvReferences::resolve) {
  nlohmann::json out = nlohmann::json::object();
  if (!ref.settings.is_object()) {
    problems.emplace_back(where, "", "settings of '" + ref.module + "' must be an object");
    return out;
  }
  const std::string component = std::string(to_string(kind)) + " '" + spec.name + "'";
  for (const auto& item : ref.settings.items()) {
    const SettingSpec* setting = nullptr;
    for (const SettingSpec& s : spec.settings) {
      if (s.key == item.key()) setting = &s;
    }
    if (setting == nullptr) {
      problems.emplace_back(where, item.key(), "unknown setting of " + component);
      continue;
    }
    if (env == Registry::EnvReferences::keep) {
      out[item.key()] = item.value();
      const bool reference = item.value().is_string() &&
                             item.value().get<std::string>().find("${env:") != std::string::npos;
      if (reference && setting->type == SettingType::choice) continue;
    } else {
      try {
        out[item.key()] = resolve_env_references(item.value(), where, item.key());
      } catch (const ConfigError& e) {
        problems.push_back(e);
        continue;
      }
    }
    if (auto problem = setting->problem(out[item.key()])) {
      problems.emplace_back(where, item.key(), *problem);
    }
  }
  for (const SettingSpec& s : spec.settings) {
    if (out.contains(s.key)) continue;
    if (s.required) {
      problems.emplace_back(where, s.key, "required setting of " + component + " is missing");
      continue;
    }
    out[s.key] = s.default_value;
  }
  return out;
}

}  // namespace

nlohmann::json Registry::resolve_settings(ComponentKind kind, const ComponentRef& ref,
                                          const std::string& where) const {
  std::vector<ConfigError> problems;
  nlohmann::json out = resolve_against(kind, entry(kind, ref.module).spec, ref, where, problems);
  throw_config_problems(std::move(problems));
  return out;
}

std::vector<ConfigError> Registry::check_settings(ComponentKind kind, const ComponentRef& ref,
                                                  const std::string& where,
                                                  EnvReferences env) const {
  std::vector<ConfigError> problems;
  const ComponentSpec* spec = find(kind, ref.module);
  if (spec == nullptr) {
    problems.emplace_back(where, "module",
                          UnknownModuleError(std::string(to_string(kind)), ref.module).what());
    return problems;
  }
  resolve_against(kind, *spec, ref, where, problems, env);
  return problems;
}

std::vector<ConfigError> Registry::check_client(const ClientConfig& config,
                                                const std::string& where, EnvReferences env) const {
  std::vector<ConfigError> problems;
  auto add = [&](std::vector<ConfigError> more) {
    for (ConfigError& p : more) problems.push_back(std::move(p));
  };
  for (std::size_t i = 0; i < config.passengers.size(); ++i) {
    const ClientPassenger& p = config.passengers[i];
    const std::string at = where + ": passengers[" + std::to_string(i) + "] (" + p.name + ")";
    if (find(ComponentKind::passenger, p.name) == nullptr) {
      problems.emplace_back(at, "name", "unknown passenger module '" + p.name + "'");
    }
    const std::pair<ComponentKind, const std::vector<ComponentRef>*> lists[] = {
        {ComponentKind::puller, &p.pullers},
        {ComponentKind::processor, &p.processors},
        {ComponentKind::pusher, &p.pushers}};
    for (const auto& [kind, refs] : lists) {
      const std::string list = std::string(to_string(kind)) + "s";
      for (std::size_t j = 0; j < refs->size(); ++j) {
        add(check_settings(kind, (*refs)[j], at + "." + list + "[" + std::to_string(j) + "]", env));
      }
    }
    add(check_settings(ComponentKind::queue, p.queue, at + ".queue", env));
  }
  // The alert pushers (docs/configuration.md "Alerts"), like any pusher.
  for (std::size_t j = 0; j < config.alerts.pushers.size(); ++j) {
    add(check_settings(ComponentKind::pusher, config.alerts.pushers[j],
                       where + ": alerts.pushers[" + std::to_string(j) + "]", env));
  }
  return problems;
}

Passenger Registry::make_passenger(const std::string& name) const {
  const Entry& e = entry(ComponentKind::passenger, name);
  Passenger p = e.passenger ? e.passenger() : Passenger{};
  const bool member = e.spec.family && name.starts_with(e.spec.name + ".");
  p.passenger_module = member ? name : e.spec.name;
  return p;
}

namespace {

// Where a component's settings come from, for error messages.
std::string settings_origin(const ComponentEnv& env, const ComponentRef& ref) {
  return "client '" + env.client_id + "', passenger '" + env.passenger + "', component '" +
         ref.module + "'";
}

// The resolved settings of `ref` for `env`, paths re-checked against the
// client's delegation (docs/security.md, "Host access").
nlohmann::json settings_for(const Registry& registry, ComponentKind kind, const ComponentSpec& spec,
                            const ComponentRef& ref, const ComponentEnv& env) {
  const std::string where = settings_origin(env, ref);
  nlohmann::json settings = registry.resolve_settings(kind, ref, where);
  if (env.host_delegation) {
    host_access::check_delegated_paths(spec, settings, *env.host_delegation, where);
  }
  return settings;
}

}  // namespace

std::unique_ptr<Puller> Registry::make_puller(const ComponentRef& ref, ComponentEnv env) const {
  const Entry& e = entry(ComponentKind::puller, ref.module);
  env.settings = settings_for(*this, ComponentKind::puller, e.spec, ref, env);
  env.module = e.spec.name;
  return e.puller(env);
}

std::unique_ptr<Processor> Registry::make_processor(const ComponentRef& ref,
                                                    ComponentEnv env) const {
  const Entry& e = entry(ComponentKind::processor, ref.module);
  env.settings = settings_for(*this, ComponentKind::processor, e.spec, ref, env);
  env.module = e.spec.name;
  return e.processor(env);
}

std::unique_ptr<Pusher> Registry::make_pusher(const ComponentRef& ref, ComponentEnv env) const {
  const Entry& e = entry(ComponentKind::pusher, ref.module);
  env.settings = settings_for(*this, ComponentKind::pusher, e.spec, ref, env);
  env.module = e.spec.name;
  return e.pusher(env);
}

std::unique_ptr<Queue> Registry::make_queue(const std::string& name, const QueueEnv& env) const {
  return entry(ComponentKind::queue, name).queue(env);
}

std::unique_ptr<Database> Registry::make_database(const std::string& name,
                                                  const DatabaseEnv& env) const {
  return entry(ComponentKind::database, name).database(env);
}

std::unique_ptr<Driver> Registry::make_driver(const std::string& name) const {
  return entry(ComponentKind::driver, name).driver();
}

}  // namespace databus
