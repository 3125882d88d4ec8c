#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "databus/client.h"
#include "databus/error.h"

namespace databus {
namespace {

using nlohmann::json;

// Parsing context: the file (where), the path to the current value and the
// list every problem is appended to. A reader that meets a problem records it
// and returns its fallback, so that parsing goes on and reports all problems.
struct Cursor {
  const std::string& where;
  std::string path;
  std::vector<ConfigError>* problems;

  Cursor at(const std::string& key) const {
    return {where, path.empty() ? key : path + "." + key, problems};
  }
  Cursor at(std::size_t index) const {
    return {where, path + "[" + std::to_string(index) + "]", problems};
  }
  void fail(const std::string& message) const { problems->emplace_back(where, path, message); }
};

void reject_unknown_keys(const json& object, const std::set<std::string>& known, const Cursor& c,
                         const std::string& what) {
  for (const auto& item : object.items()) {
    if (!known.count(item.key())) c.at(item.key()).fail("unknown key in " + what);
  }
}

constexpr long long kMaxWholeNumber = 1'000'000'000;

// A value as a message shows it: JSON, cut after 60 characters.
std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

int read_non_negative(const json& object, const char* key, int fallback, const Cursor& c) {
  if (!object.contains(key)) return fallback;
  const json& v = object.at(key);
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > kMaxWholeNumber) {
    c.at(key).fail("must be a whole number from 0 to 1000000000, not " + shown(v));
    return fallback;
  }
  return v.get<int>();
}

std::string read_string(const json& object, const char* key, const Cursor& c, bool required) {
  if (!object.contains(key)) {
    if (required) c.at(key).fail("is required");
    return "";
  }
  if (!object.at(key).is_string()) {
    c.at(key).fail("must be a string");
    return "";
  }
  return object.at(key).get<std::string>();
}

// "retry": {"max_attempts", "initial_delay_seconds", "max_delay_seconds"}
// (retry.h); a bad field is recorded and left unset.
RetrySettings read_retry(const json& v, const Cursor& c) {
  RetrySettings r;
  if (!v.is_object()) {
    c.fail(
        "must be an object {\"max_attempts\", \"initial_delay_seconds\", "
        "\"max_delay_seconds\"}");
    return r;
  }
  reject_unknown_keys(v, {"max_attempts", "initial_delay_seconds", "max_delay_seconds"}, c,
                      "retry");
  for (auto [key, field] : {std::pair{"max_attempts", &r.max_attempts},
                            std::pair{"initial_delay_seconds", &r.initial_delay_seconds},
                            std::pair{"max_delay_seconds", &r.max_delay_seconds}}) {
    if (!v.contains(key) || v.at(key).is_null()) continue;
    const int bad = -1;
    const int n = read_non_negative(v, key, bad, c);
    if (n != bad) *field = n;
  }
  if (r.initial_delay_seconds && r.max_delay_seconds &&
      *r.initial_delay_seconds > *r.max_delay_seconds) {
    c.at("initial_delay_seconds").fail("must not exceed max_delay_seconds");
  }
  return r;
}

json retry_json(const RetrySettings& r) {
  json out = json::object();
  if (r.max_attempts) out["max_attempts"] = *r.max_attempts;
  if (r.initial_delay_seconds) out["initial_delay_seconds"] = *r.initial_delay_seconds;
  if (r.max_delay_seconds) out["max_delay_seconds"] = *r.max_delay_seconds;
  return out;
}

// A component reference; nullopt (after recording why) when unusable. With
// `steps`, the reference is a processor's or pusher's and its "retry" key
// is the step's retry settings, not a setting of the component.
std::optional<ComponentRef> read_ref(const json& v, const Cursor& c, bool steps = false) {
  ComponentRef ref;
  if (v.is_string()) {
    ref.module = v.get<std::string>();
  } else if (v.is_object()) {
    if (!v.contains("module")) {
      c.at("module").fail("is required");
      return std::nullopt;
    }
    ref.module = read_string(v, "module", c, true);
    for (const auto& item : v.items()) {
      if (item.key() == "module") continue;
      if (steps && item.key() == "retry") {
        ref.retry = read_retry(item.value(), c.at("retry"));
      } else {
        ref.settings[item.key()] = item.value();
      }
    }
  } else {
    c.fail("must be a module name or an object {\"module\": ..., settings}");
    return std::nullopt;
  }
  if (ref.module.empty()) {
    c.fail("module name is empty");
    return std::nullopt;
  }
  return ref;
}

std::vector<ComponentRef> read_refs(const json& object, const char* key, const Cursor& c,
                                    bool steps = false) {
  std::vector<ComponentRef> refs;
  if (!object.contains(key) || object.at(key).is_null()) return refs;
  const json& list = object.at(key);
  if (!list.is_array()) {
    c.at(key).fail("must be a list of components");
    return refs;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (auto ref = read_ref(list[i], c.at(key).at(i), steps)) refs.push_back(std::move(*ref));
  }
  return refs;
}

std::optional<ClientPassenger> read_passenger(const json& v, const Cursor& c) {
  if (!v.is_object()) {
    c.fail("must be an object");
    return std::nullopt;
  }
  reject_unknown_keys(v,
                      {"name", "pullers", "processors", "pushers", "queue", "queue_life_span",
                       "sync_frequency", "sync_interval_seconds", "retry"},
                      c, "a client passenger");
  ClientPassenger p;
  p.name = read_string(v, "name", c, true);
  if (v.contains("name") && v.at("name").is_string() && p.name.empty()) {
    c.at("name").fail("must not be empty");
  }
  p.pullers = read_refs(v, "pullers", c);
  p.processors = read_refs(v, "processors", c, true);
  p.pushers = read_refs(v, "pushers", c, true);
  if (v.contains("retry") && !v.at("retry").is_null())
    p.retry = read_retry(v.at("retry"), c.at("retry"));
  if (v.contains("queue") && !v.at("queue").is_null()) {
    if (auto queue = read_ref(v.at("queue"), c.at("queue"))) p.queue = std::move(*queue);
  }
  p.queue_life_span = read_non_negative(v, "queue_life_span", p.queue_life_span, c);
  p.sync_frequency = read_non_negative(v, "sync_frequency", p.sync_frequency, c);
  if (v.contains("sync_interval_seconds") && !v.at("sync_interval_seconds").is_null()) {
    p.sync_interval_seconds = read_non_negative(v, "sync_interval_seconds", 0, c);
  }
  return p;
}

Role read_role(const json& v, const Cursor& c) {
  if (!v.contains("role")) return Role::administrator;
  if (!v.at("role").is_string()) {
    c.at("role").fail("must be 'operator' or 'administrator'");
    return Role::operator_;  // The lesser right for a value that could not be read.
  }
  const std::string role = v.at("role").get<std::string>();
  if (role == "administrator") return Role::administrator;
  if (role != "operator") c.at("role").fail("must be 'operator' or 'administrator'");
  return Role::operator_;
}

std::vector<std::string> read_strings(const json& object, const char* key, const Cursor& c,
                                      bool (*valid)(const std::string&), const char* what);

bool known_right(const std::string& text) {
  return std::find(std::begin(kUserRights), std::end(kUserRights), text) != std::end(kUserRights);
}

std::optional<User> read_user(const json& v, const Cursor& c) {
  if (!v.is_object()) {
    c.fail("must be an object");
    return std::nullopt;
  }
  reject_unknown_keys(v, {"username", "password", "token", "role", "rights"}, c, "a user");
  User u;
  u.username = read_string(v, "username", c, true);
  if (v.contains("username") && v.at("username").is_string() && u.username.empty()) {
    c.at("username").fail("must not be empty");
  }
  u.password = read_string(v, "password", c, false);
  u.token = read_string(v, "token", c, false);
  u.role = read_role(v, c);
  u.rights = read_strings(v, "rights", c, known_right, "must be one of: metrics");
  return u;
}

// A list of strings; each must pass `valid`, else is recorded with `what`
// and left out.
std::vector<std::string> read_strings(const json& object, const char* key, const Cursor& c,
                                      bool (*valid)(const std::string&), const char* what) {
  std::vector<std::string> out;
  if (!object.contains(key) || object.at(key).is_null()) return out;
  const json& list = object.at(key);
  if (!list.is_array()) {
    c.at(key).fail("must be a list of strings");
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string() || !valid(list[i].get<std::string>())) {
      c.at(key).at(i).fail(what);
      continue;
    }
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

bool absolute_path(const std::string& text) {
  return !text.empty() && std::filesystem::path(text).is_absolute();
}

bool variable_name(const std::string& text) {
  if (text.empty() || (text[0] >= '0' && text[0] <= '9')) return false;
  for (char ch : text) {
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
          ch == '_')) {
      return false;
    }
  }
  return true;
}

// Root's delegation of host settings (docs/security.md, "Host access").
std::optional<HostDelegation> read_host_access(const json& v, const Cursor& c) {
  if (!v.is_object()) {
    c.fail("must be an object");
    return std::nullopt;
  }
  reject_unknown_keys(v, {"commands", "directories", "environment"}, c, "host_access");
  HostDelegation d;
  d.commands = read_strings(v, "commands", c, absolute_path, "must be an absolute path");
  d.directories = read_strings(v, "directories", c, absolute_path, "must be an absolute path");
  d.environment = read_strings(v, "environment", c, variable_name,
                               "must be a variable name ([A-Za-z_][A-Za-z0-9_]*)");
  return d;
}

// "alerts": {"pushers": [...], "quiet_minutes": Q} (client.h).
AlertSettings read_alerts(const json& v, const Cursor& c) {
  AlertSettings a;
  if (!v.is_object()) {
    c.fail("must be an object {\"pushers\": [components], \"quiet_minutes\": n}");
    return a;
  }
  reject_unknown_keys(v, {"pushers", "quiet_minutes"}, c, "alerts");
  a.pushers = read_refs(v, "pushers", c);
  if (v.contains("quiet_minutes") && !v.at("quiet_minutes").is_null())
    a.quiet_minutes = read_non_negative(v, "quiet_minutes", a.quiet_minutes, c);
  return a;
}

ClientConfig read_config(std::string id, const json& j, const Cursor& root) {
  ClientConfig config;
  config.id = std::move(id);
  if (!j.is_object()) {
    root.fail("the configuration must be a JSON object");
    return config;
  }
  reject_unknown_keys(j, {"log_life_span", "passengers", "users", "host_access", "alerts"}, root,
                      "a client configuration");
  config.log_life_span = read_non_negative(j, "log_life_span", config.log_life_span, root);
  if (j.contains("passengers") && !j.at("passengers").is_null()) {
    const json& list = j.at("passengers");
    if (!list.is_array()) root.at("passengers").fail("must be a list");
    std::set<std::string> names;
    for (std::size_t i = 0; list.is_array() && i < list.size(); ++i) {
      const Cursor c = root.at("passengers").at(i);
      std::optional<ClientPassenger> p = read_passenger(list[i], c);
      if (!p) continue;
      if (!p->name.empty() && !names.insert(p->name).second) {
        c.at("name").fail("passenger '" + p->name + "' is listed twice");
        continue;
      }
      config.passengers.push_back(std::move(*p));
    }
  }
  if (j.contains("users") && !j.at("users").is_null()) {
    const json& list = j.at("users");
    if (!list.is_array()) root.at("users").fail("must be a list");
    std::set<std::string> names;
    for (std::size_t i = 0; list.is_array() && i < list.size(); ++i) {
      const Cursor c = root.at("users").at(i);
      std::optional<User> u = read_user(list[i], c);
      if (!u) continue;
      if (!u->username.empty() && !names.insert(u->username).second) {
        c.at("username").fail("user '" + u->username + "' is listed twice");
        continue;
      }
      config.users.push_back(std::move(*u));
    }
  }
  if (j.contains("host_access") && !j.at("host_access").is_null()) {
    config.host_access = read_host_access(j.at("host_access"), root.at("host_access"));
  }
  if (j.contains("alerts") && !j.at("alerts").is_null()) {
    config.alerts = read_alerts(j.at("alerts"), root.at("alerts"));
  }
  return config;
}

}  // namespace

json ComponentRef::to_json() const {
  if (settings.empty() && retry.empty()) return module;
  json out = settings;
  out["module"] = module;
  if (!retry.empty()) out["retry"] = retry_json(retry);
  return out;
}

Clock::duration ClientPassenger::drive_interval() const {
  if (sync_interval_seconds) return std::chrono::seconds(std::max(0, *sync_interval_seconds));
  return std::chrono::minutes(std::max(0, sync_frequency));
}

RetryPolicy ClientPassenger::retry_policy(std::string_view module) const {
  const RetryPolicy passenger = RetryPolicy{}.with(retry);
  for (const auto* refs : {&processors, &pushers}) {
    for (const ComponentRef& r : *refs) {
      if (r.module == module) return passenger.with(r.retry);
    }
  }
  return passenger;
}

std::vector<std::string> ClientPassenger::processor_modules() const {
  std::vector<std::string> out;
  for (const auto& r : processors) out.push_back(r.module);
  return out;
}

std::vector<std::string> ClientPassenger::pusher_modules() const {
  std::vector<std::string> out;
  for (const auto& r : pushers) out.push_back(r.module);
  return out;
}

bool User::has_right(std::string_view right) const {
  return std::find(rights.begin(), rights.end(), right) != rights.end();
}

std::string_view to_string(Role role) {
  return role == Role::operator_ ? "operator" : "administrator";
}

const ClientPassenger* ClientConfig::find_passenger(std::string_view name) const {
  for (const auto& p : passengers) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

ClientConfig ClientConfig::parse(std::string id, std::string_view json_text,
                                 const std::string& where) {
  std::vector<ConfigError> problems;
  ClientConfig config = parse(std::move(id), json_text, where, problems);
  throw_config_problems(std::move(problems));
  return config;
}

ClientConfig ClientConfig::parse(std::string id, std::string_view json_text,
                                 const std::string& where, std::vector<ConfigError>& problems) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range.
    problems.emplace_back(where, "", std::string("malformed JSON: ") + e.what());
    ClientConfig config;
    config.id = std::move(id);
    return config;
  }
  return read_config(std::move(id), j, Cursor{where, "", &problems});
}

ClientConfig ClientConfig::from_json(std::string id, const json& j, const std::string& where) {
  std::vector<ConfigError> problems;
  ClientConfig config = read_config(std::move(id), j, Cursor{where, "", &problems});
  throw_config_problems(std::move(problems));
  return config;
}

json ClientConfig::to_json() const {
  json passengers_json = json::array();
  for (const auto& p : passengers) {
    json pj;
    pj["name"] = p.name;
    for (const auto& [key, refs] :
         {std::pair{"pullers", &p.pullers}, std::pair{"processors", &p.processors},
          std::pair{"pushers", &p.pushers}}) {
      json list = json::array();
      for (const auto& r : *refs) list.push_back(r.to_json());
      pj[key] = std::move(list);
    }
    pj["queue"] = p.queue.to_json();
    pj["queue_life_span"] = p.queue_life_span;
    pj["sync_frequency"] = p.sync_frequency;
    if (p.sync_interval_seconds) pj["sync_interval_seconds"] = *p.sync_interval_seconds;
    if (!p.retry.empty()) pj["retry"] = retry_json(p.retry);
    passengers_json.push_back(std::move(pj));
  }
  json users_json = json::array();
  for (const auto& u : users) {
    users_json.push_back({{"username", u.username},
                          {"password", u.password},
                          {"token", u.token},
                          {"role", std::string(to_string(u.role))}});
    if (!u.rights.empty()) users_json.back()["rights"] = u.rights;
  }
  json out = {
      {"log_life_span", log_life_span}, {"passengers", passengers_json}, {"users", users_json}};
  if (host_access) {
    out["host_access"] = {{"commands", host_access->commands},
                          {"directories", host_access->directories},
                          {"environment", host_access->environment}};
  }
  if (!alerts.empty() || alerts.quiet_minutes != AlertSettings::kDefaultQuietMinutes) {
    json list = json::array();
    for (const auto& r : alerts.pushers) list.push_back(r.to_json());
    out["alerts"] = {{"pushers", std::move(list)}, {"quiet_minutes", alerts.quiet_minutes}};
  }
  return out;
}

}  // namespace databus
