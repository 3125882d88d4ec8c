#include <set>

#include "databus/client.h"
#include "databus/error.h"

namespace databus {
namespace {

using nlohmann::json;

// Parsing context: the file (where) and the path to the current value.
struct Cursor {
  const std::string& where;
  std::string path;

  Cursor at(const std::string& key) const { return {where, path.empty() ? key : path + "." + key}; }
  Cursor at(std::size_t index) const { return {where, path + "[" + std::to_string(index) + "]"}; }
  [[noreturn]] void fail(const std::string& message) const {
    throw ConfigError(where, path, message);
  }
};

void reject_unknown_keys(const json& object, const std::set<std::string>& known, const Cursor& c,
                         const std::string& what) {
  for (const auto& item : object.items()) {
    if (!known.count(item.key())) c.at(item.key()).fail("unknown key in " + what);
  }
}

int read_non_negative(const json& object, const char* key, int fallback, const Cursor& c) {
  if (!object.contains(key)) return fallback;
  const json& v = object.at(key);
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1'000'000'000) {
    c.at(key).fail("must be a non-negative whole number");
  }
  return v.get<int>();
}

std::string read_string(const json& object, const char* key, const Cursor& c, bool required) {
  if (!object.contains(key)) {
    if (required) c.at(key).fail("is required");
    return "";
  }
  if (!object.at(key).is_string()) c.at(key).fail("must be a string");
  return object.at(key).get<std::string>();
}

ComponentRef read_ref(const json& v, const Cursor& c) {
  ComponentRef ref;
  if (v.is_string()) {
    ref.module = v.get<std::string>();
  } else if (v.is_object()) {
    ref.module = read_string(v, "module", c, true);
    for (const auto& item : v.items()) {
      if (item.key() != "module") ref.settings[item.key()] = item.value();
    }
  } else {
    c.fail("must be a module name or an object {\"module\": ..., settings}");
  }
  if (ref.module.empty()) c.fail("module name is empty");
  return ref;
}

std::vector<ComponentRef> read_refs(const json& object, const char* key, const Cursor& c) {
  std::vector<ComponentRef> refs;
  if (!object.contains(key) || object.at(key).is_null()) return refs;
  const json& list = object.at(key);
  if (!list.is_array()) c.at(key).fail("must be a list of components");
  for (std::size_t i = 0; i < list.size(); ++i) refs.push_back(read_ref(list[i], c.at(key).at(i)));
  return refs;
}

ClientPassenger read_passenger(const json& v, const Cursor& c) {
  if (!v.is_object()) c.fail("must be an object");
  reject_unknown_keys(v,
                      {"name", "pullers", "processors", "pushers", "queue", "queue_life_span",
                       "sync_frequency", "sync_interval_seconds"},
                      c, "a client passenger");
  ClientPassenger p;
  p.name = read_string(v, "name", c, true);
  if (p.name.empty()) c.at("name").fail("must not be empty");
  p.pullers = read_refs(v, "pullers", c);
  p.processors = read_refs(v, "processors", c);
  p.pushers = read_refs(v, "pushers", c);
  if (v.contains("queue") && !v.at("queue").is_null())
    p.queue = read_ref(v.at("queue"), c.at("queue"));
  p.queue_life_span = read_non_negative(v, "queue_life_span", p.queue_life_span, c);
  p.sync_frequency = read_non_negative(v, "sync_frequency", p.sync_frequency, c);
  if (v.contains("sync_interval_seconds") && !v.at("sync_interval_seconds").is_null()) {
    p.sync_interval_seconds = read_non_negative(v, "sync_interval_seconds", 0, c);
  }
  return p;
}

Role read_role(const json& v, const Cursor& c) {
  if (!v.contains("role")) return Role::administrator;
  const std::string role = read_string(v, "role", c, false);
  if (role == "administrator") return Role::administrator;
  if (role == "operator") return Role::operator_;
  c.at("role").fail("must be 'operator' or 'administrator'");
}

User read_user(const json& v, const Cursor& c) {
  if (!v.is_object()) c.fail("must be an object");
  reject_unknown_keys(v, {"username", "password", "token", "role"}, c, "a user");
  User u;
  u.username = read_string(v, "username", c, true);
  if (u.username.empty()) c.at("username").fail("must not be empty");
  u.password = read_string(v, "password", c, false);
  u.token = read_string(v, "token", c, false);
  u.role = read_role(v, c);
  return u;
}

}  // namespace

json ComponentRef::to_json() const {
  if (settings.empty()) return module;
  json out = settings;
  out["module"] = module;
  return out;
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
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range.
    throw ConfigError(where, "", std::string("malformed JSON: ") + e.what());
  }
  return from_json(std::move(id), j, where);
}

ClientConfig ClientConfig::from_json(std::string id, const json& j, const std::string& where) {
  const Cursor root{where, ""};
  if (!j.is_object()) root.fail("the configuration must be a JSON object");
  reject_unknown_keys(j, {"log_life_span", "passengers", "users"}, root, "a client configuration");
  ClientConfig config;
  config.id = std::move(id);
  config.log_life_span = read_non_negative(j, "log_life_span", config.log_life_span, root);
  if (j.contains("passengers") && !j.at("passengers").is_null()) {
    const json& list = j.at("passengers");
    if (!list.is_array()) root.at("passengers").fail("must be a list");
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Cursor c = root.at("passengers").at(i);
      ClientPassenger p = read_passenger(list[i], c);
      if (!names.insert(p.name).second)
        c.at("name").fail("passenger '" + p.name + "' is listed twice");
      config.passengers.push_back(std::move(p));
    }
  }
  if (j.contains("users") && !j.at("users").is_null()) {
    const json& list = j.at("users");
    if (!list.is_array()) root.at("users").fail("must be a list");
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Cursor c = root.at("users").at(i);
      User u = read_user(list[i], c);
      if (!names.insert(u.username).second)
        c.at("username").fail("user '" + u.username + "' is listed twice");
      config.users.push_back(std::move(u));
    }
  }
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
    passengers_json.push_back(std::move(pj));
  }
  json users_json = json::array();
  for (const auto& u : users) {
    users_json.push_back({{"username", u.username},
                          {"password", u.password},
                          {"token", u.token},
                          {"role", std::string(to_string(u.role))}});
  }
  return {{"log_life_span", log_life_span}, {"passengers", passengers_json}, {"users", users_json}};
}

}  // namespace databus
