// Registry: the one place that maps module names to component factories.
// Built-ins are added by register_builtins() (builtins.h) through the same
// calls an application uses for its own components; tests build a fresh,
// empty registry. Each component comes with a spec (its settings, defaults
// and descriptions), the single source for validating config.json, for
// `databus check` and for the docs.
//
// Thread-safety: add_*() must not run concurrently with anything else; once
// filled, a registry may be read from any number of threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/client.h"
#include "databus/component.h"
#include "databus/database.h"
#include "databus/driver.h"
#include "databus/error.h"
#include "databus/host_access.h"
#include "databus/processor.h"
#include "databus/puller.h"
#include "databus/pusher.h"
#include "databus/queue.h"
#include "databus/setting.h"

namespace databus {

enum class ComponentKind { passenger, puller, processor, pusher, queue, database, driver };
std::string_view to_string(ComponentKind kind);

struct ComponentSpec {
  std::string name;     // Module name, e.g. "databus.puller.directory".
  std::string summary;  // One line for users.
  std::vector<SettingSpec> settings;
  std::vector<std::string> aliases;  // Other names that resolve to this one.
  // Passengers only: every "<name>.<suffix>" also resolves to this spec, and
  // a passenger made under such a name keeps it as its passenger_module. One
  // generic passenger type thus serves many client passengers of one client
  // (a client passenger is identified by its module name).
  bool family = false;
  // The plugin file (plugin.h) that registered this component; empty for a
  // built-in or the application's own. Set by the registry when it adds the
  // spec (whatever the spec said), shown by `databus components`.
  std::string plugin;
};

using PassengerMaker = std::function<Passenger()>;
using PullerMaker = std::function<std::unique_ptr<Puller>(const ComponentEnv&)>;
using ProcessorMaker = std::function<std::unique_ptr<Processor>(const ComponentEnv&)>;
using PusherMaker = std::function<std::unique_ptr<Pusher>(const ComponentEnv&)>;
using QueueMaker = std::function<std::unique_ptr<Queue>(const QueueEnv&)>;
using DatabaseMaker = std::function<std::unique_ptr<Database>(const DatabaseEnv&)>;
using DriverMaker = std::function<std::unique_ptr<Driver>()>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each add_*() throws Error when the name (or an alias) is taken for that
  // kind. A passenger maker returns an empty passenger; passenger_module is
  // set by the registry to the spec's name (to the name asked for, for a
  // member of a family).
  void add_passenger(ComponentSpec spec, PassengerMaker maker = nullptr);
  void add_puller(ComponentSpec spec, PullerMaker maker);
  void add_processor(ComponentSpec spec, ProcessorMaker maker);
  void add_pusher(ComponentSpec spec, PusherMaker maker);
  void add_queue(ComponentSpec spec, QueueMaker maker);
  void add_database(ComponentSpec spec, DatabaseMaker maker);
  void add_driver(ComponentSpec spec, DriverMaker maker);

  // The plugin file whose components the following add_*() calls register
  // (ComponentSpec::plugin); load_plugins() (plugin.h) sets it around each
  // plugin's registration and clears it after. Default: empty.
  void set_registering_plugin(std::string file) { registering_plugin_ = std::move(file); }

  // The spec of `name` (or an alias) of `kind`, or nullptr.
  const ComponentSpec* find(ComponentKind kind, std::string_view name) const;
  // Specs of one kind, sorted by name.
  std::vector<const ComponentSpec*> list(ComponentKind kind) const;

  // Validates `ref`'s settings against its spec: unknown keys, missing
  // required ones and values whose type or range does not fit the spec
  // (SettingSpec::problem) are each a ConfigError(where, key); defaults fill
  // the rest. Every `${env:NAME}` in a given string value (nested ones
  // included) is replaced by that environment variable before the check; an
  // unset one is a ConfigError(where, key) naming the variable, never a value.
  // Throws the ConfigError when there is one problem and ConfigProblems
  // holding all of them when there are several; throws UnknownModuleError
  // when no component of `kind` has that name. Returns the completed
  // settings object.
  nlohmann::json resolve_settings(ComponentKind kind, const ComponentRef& ref,
                                  const std::string& where) const;

  // Every problem of `ref` that resolve_settings() would throw, without
  // throwing; an unknown module is one ConfigError(where, "module"). Empty
  // when `ref` is valid.
  // With `env` keep (a lint without the deployment's environment, `databus
  // check --config`), `${env:NAME}` references are not resolved: a string
  // holding one passes as a string or choice setting, whatever NAME holds.
  enum class EnvReferences { resolve, keep };
  std::vector<ConfigError> check_settings(ComponentKind kind, const ComponentRef& ref,
                                          const std::string& where,
                                          EnvReferences env = EnvReferences::resolve) const;

  // Every problem of a parsed client configuration against this registry:
  // each client passenger's module and each of its pullers, processors,
  // pushers and queue with their settings, and each alert pusher. `where`
  // names the source (the config.json path); each problem's where() adds the
  // passenger and list position, e.g. "<where>: passengers[0]
  // (databus.passenger.x).pushers[1]", or "<where>: alerts.pushers[0]".
  std::vector<ConfigError> check_client(const ClientConfig& config, const std::string& where,
                                        EnvReferences env = EnvReferences::resolve) const;

  // The makers. Each throws UnknownModuleError for an unknown name and
  // ConfigError for invalid settings; `env.settings` is replaced by the
  // resolved settings and `env.module` by the canonical name. With
  // `env.host_delegation` set, a path setting written inside a delegated
  // directory root must still resolve inside it (a symlink changed since the
  // save): else ForbiddenError naming the setting, and nothing is made.
  Passenger make_passenger(const std::string& name) const;
  std::unique_ptr<Puller> make_puller(const ComponentRef& ref, ComponentEnv env) const;
  std::unique_ptr<Processor> make_processor(const ComponentRef& ref, ComponentEnv env) const;
  std::unique_ptr<Pusher> make_pusher(const ComponentRef& ref, ComponentEnv env) const;
  std::unique_ptr<Queue> make_queue(const std::string& name, const QueueEnv& env) const;
  std::unique_ptr<Database> make_database(const std::string& name, const DatabaseEnv& env) const;
  std::unique_ptr<Driver> make_driver(const std::string& name) const;

 private:
  struct Entry {
    ComponentSpec spec;
    PassengerMaker passenger;
    PullerMaker puller;
    ProcessorMaker processor;
    PusherMaker pusher;
    QueueMaker queue;
    DatabaseMaker database;
    DriverMaker driver;
  };
  void add(ComponentKind kind, Entry entry);
  const Entry& entry(ComponentKind kind, std::string_view name) const;

  // kind -> canonical name -> entry; aliases map to canonical names.
  std::map<ComponentKind, std::map<std::string, Entry, std::less<>>> entries_;
  std::map<ComponentKind, std::map<std::string, std::string, std::less<>>> aliases_;
  std::string registering_plugin_;
};

}  // namespace databus
