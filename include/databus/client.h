// Client configuration: the content of clients/<id>/config.json (docs/configuration.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/error.h"
#include "databus/host_access.h"
#include "databus/retry.h"

namespace databus {

// A reference to a component in config.json: either a plain module name
// ("databus.pusher.demo.demo_pusher_1") or an object
// {"module": "<name>", ...settings}. Settings are validated against the
// component's spec by the registry, not here.
struct ComponentRef {
  std::string module;
  nlohmann::json settings = nlohmann::json::object();  // Always an object.
  // A processor's or pusher's "retry" key (retry.h): it overrides its
  // passenger's retry settings and is not a setting of the component.
  RetrySettings retry;

  // A plain string when there are no settings, else the object form.
  nlohmann::json to_json() const;
  bool operator==(const ComponentRef&) const = default;
};

// One passenger type a client transports (docs/architecture.md "Concepts").
struct ClientPassenger {
  std::string name;  // Passenger module.
  std::vector<ComponentRef> pullers;
  std::vector<ComponentRef> processors;
  std::vector<ComponentRef> pushers;
  ComponentRef queue{"databus.pqueue.primal_queue"};
  int queue_life_span = 1;  // Days a completed entry lingers before purge.
  int sync_frequency = 1;   // Minutes between drives.
  // Our extension: seconds between drives; overrides sync_frequency when set.
  std::optional<int> sync_interval_seconds;
  // Our extension: how failed steps wait and when they are quarantined.
  RetrySettings retry;

  // The time between two scheduled drives: sync_interval_seconds when set,
  // else sync_frequency minutes.
  Clock::duration drive_interval() const;
  // The retry policy of processor or pusher `module`: the defaults, with
  // this passenger's settings, with the module's reference's.
  RetryPolicy retry_policy(std::string_view module) const;
  std::vector<std::string> processor_modules() const;
  std::vector<std::string> pusher_modules() const;
  bool operator==(const ClientPassenger&) const = default;
};

// Where a client's alerts go (docs/configuration.md "Alerts"): "alerts":
// {"pushers": [...], "quiet_minutes": Q}. When a step is quarantined or a
// puller turns failing or stale, or recovers, the dispatcher sends an alert
// passenger (kind, client, passenger, module, error, time) to each pusher.
struct AlertSettings {
  // Default: 60 minutes between two alerts of one kind about one module of
  // one client passenger.
  static constexpr int kDefaultQuietMinutes = 60;

  // References to pushers (validated by the registry like a passenger's).
  // Empty: the client gets no alerts.
  std::vector<ComponentRef> pushers;
  // At most one alert per (client passenger, module, kind) within this many
  // minutes; 0 sends every one.
  int quiet_minutes = kDefaultQuietMinutes;

  bool empty() const { return pushers.empty(); }
  bool operator==(const AlertSettings&) const = default;
};

enum class Role { operator_, administrator };
std::string_view to_string(Role role);  // "operator" | "administrator"

// The rights a user may be given ("rights" of a user).
inline constexpr std::string_view kUserRights[] = {"metrics"};

struct User {
  std::string username;
  // Plaintext (the original's format) or a hash written by `databus passwd`.
  std::string password;
  std::string token;
  Role role = Role::administrator;  // Absent in the original's files.
  // Our extension: rights beyond the role (kUserRights). "metrics": the
  // user's bearer token may read GET /metrics, its client's series only
  // (docs/operations.md "Monitoring"). Absent: none.
  std::vector<std::string> rights;

  bool has_right(std::string_view right) const;
  bool operator==(const User&) const = default;
};

struct ClientConfig {
  std::string id;
  int log_life_span = 1;  // Days logs and customizing backups are kept.
  std::vector<ClientPassenger> passengers;
  std::vector<User> users;
  // What root delegates to this client's administrators ("host_access";
  // docs/security.md, "Host access"). Absent: nothing is delegated.
  std::optional<HostDelegation> host_access;
  // Our extension: the pushers that receive alerts. Absent: none.
  AlertSettings alerts;

  // The client passenger named `name`, or nullptr.
  const ClientPassenger* find_passenger(std::string_view name) const;

  // Parses config.json content. `where` names the source in errors (usually
  // the file path). Every problem is a ConfigError naming `where` and the
  // offending field (e.g. "passengers[0].sync_frequency"): malformed JSON,
  // wrong types, numbers out of range, missing names and unknown keys.
  // Parsing goes on past a problem, so all are found in one pass: throws the
  // ConfigError when there is one, ConfigProblems when there are several.
  static ClientConfig parse(std::string id, std::string_view json_text, const std::string& where);
  static ClientConfig from_json(std::string id, const nlohmann::json& j, const std::string& where);
  // As parse(), but appends every problem to `problems` instead of throwing,
  // and returns what could be read (a bad value keeps its default; a bad
  // passenger, user or component reference is left out).
  static ClientConfig parse(std::string id, std::string_view json_text, const std::string& where,
                            std::vector<ConfigError>& problems);

  // The config.json form; parse(to_json().dump()) gives back an equal value.
  nlohmann::json to_json() const;

  bool operator==(const ClientConfig&) const = default;
};

// The configuration the first start writes for the `demo` client: the demo
// components of docs/configuration.md, user demo/demo (administrator).
ClientConfig demo_client_config();
// The configuration of the `root` client: no passengers, user root/root.
ClientConfig root_client_config();

}  // namespace databus
