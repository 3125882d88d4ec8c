#include "web/secret_mask.h"

#include <functional>
#include <map>

#include "databus/error.h"

namespace databus::web {
namespace {

using nlohmann::json;

constexpr const char* kKinds[] = {"pullers", "processors", "pushers"};

ComponentKind kind_of(const std::string& list) {
  if (list == "pullers") return ComponentKind::puller;
  if (list == "processors") return ComponentKind::processor;
  return ComponentKind::pusher;
}

bool literal_secret(const json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  return !text.empty() && text != kSecretMask && text.find("${env:") == std::string::npos;
}

// Replaces every literal secret string in `value`; returns whether it did.
bool mask_value(json& value) {
  if (value.is_structured()) {
    bool changed = false;
    for (json& item : value) changed = mask_value(item) || changed;
    return changed;
  }
  if (!literal_secret(value)) return false;
  value = kSecretMask;
  return true;
}

// Replaces every mask in `value` by what `stored` holds at the same place
// (null: nothing stored); returns whether it did. Throws ConfigError naming
// `where` and `key` when a mask has no stored string to stand for.
bool restore_value(json& value, const json* stored, const std::string& where,
                   const std::string& key) {
  if (value.is_string() && value.get_ref<const std::string&>() == kSecretMask) {
    if (stored == nullptr || !stored->is_string()) {
      throw ConfigError(where, key,
                        "is masked (" + std::string(kSecretMask) +
                            ") but no stored value is known for it; write the value");
    }
    value = *stored;
    return true;
  }
  bool changed = false;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      const json* s = stored != nullptr && stored->is_object() && stored->contains(it.key())
                          ? &stored->at(it.key())
                          : nullptr;
      changed = restore_value(it.value(), s, where, key) || changed;
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const json* s =
          stored != nullptr && stored->is_array() && i < stored->size() ? &(*stored)[i] : nullptr;
      changed = restore_value(value[i], s, where, key) || changed;
    }
  }
  return changed;
}

// Calls `visit(list name, rank, component object, passenger object)` for each
// component in the object form, with `rank` counting earlier components of
// the same module in that list.
void each_component(json& doc,
                    const std::function<void(const std::string&, int, json&, const json&)>& visit) {
  if (!doc.is_object() || !doc.contains("passengers") || !doc["passengers"].is_array()) return;
  for (json& p : doc["passengers"]) {
    if (!p.is_object()) continue;
    for (const char* list : kKinds) {
      if (!p.contains(list) || !p[list].is_array()) continue;
      std::map<std::string, int> seen;
      for (json& ref : p[list]) {
        if (!ref.is_object() || !ref.contains("module") || !ref["module"].is_string()) continue;
        visit(list, seen[ref["module"].get<std::string>()]++, ref, p);
      }
    }
  }
}

void each_user_secret(json& doc, const std::function<void(json& user, const char* key)>& visit) {
  if (!doc.is_object() || !doc.contains("users") || !doc["users"].is_array()) return;
  for (json& u : doc["users"]) {
    if (!u.is_object()) continue;
    for (const char* key : {"password", "token"}) {
      if (u.contains(key)) visit(u, key);
    }
  }
}

std::vector<std::string> secret_keys(const Registry& registry, const std::string& list,
                                     const json& ref) {
  std::vector<std::string> keys;
  const ComponentSpec* spec = registry.find(kind_of(list), ref["module"].get<std::string>());
  if (spec == nullptr) return keys;
  for (const SettingSpec& s : spec->settings) {
    if (s.secret && ref.contains(s.key)) keys.push_back(s.key);
  }
  return keys;
}

// The component `rank` of `module` in `list` of the stored passenger `name`.
const json* stored_component(const json& stored, const json& passenger, const std::string& list,
                             const std::string& module, int rank) {
  if (!stored.is_object() || !stored.contains("passengers") || !passenger.contains("name")) {
    return nullptr;
  }
  for (const json& p : stored["passengers"]) {
    if (!p.is_object() || p.value("name", json()) != passenger["name"]) continue;
    if (!p.contains(list) || !p[list].is_array()) return nullptr;
    for (const json& ref : p[list]) {
      if (ref.is_object() && ref.value("module", json()) == module && rank-- == 0) return &ref;
    }
  }
  return nullptr;
}

json parse(const std::string& text) { return json::parse(text, nullptr, false); }

std::string dump(const json& doc) {
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string mask_config_secrets(const std::string& text, const Registry& registry) {
  json doc = parse(text);
  if (doc.is_discarded()) return text;
  bool changed = false;
  each_component(doc, [&](const std::string& list, int, json& ref, const json&) {
    for (const std::string& key : secret_keys(registry, list, ref)) {
      changed = mask_value(ref[key]) || changed;
    }
  });
  each_user_secret(doc, [&](json& user, const char* key) {
    if (user[key].is_string() && !user[key].get_ref<const std::string&>().empty() &&
        user[key] != kSecretMask) {
      user[key] = kSecretMask;
      changed = true;
    }
  });
  return changed ? dump(doc) : text;
}

std::string restore_config_secrets(const std::string& edited, const std::string& stored_text,
                                   const Registry& registry) {
  if (edited.find(kSecretMask) == std::string::npos) return edited;
  json doc = parse(edited);
  if (doc.is_discarded()) return edited;
  const json stored = parse(stored_text);
  bool changed = false;
  each_component(doc, [&](const std::string& list, int rank, json& ref, const json& passenger) {
    const std::string module = ref["module"].get<std::string>();
    const json* old =
        stored.is_discarded() ? nullptr : stored_component(stored, passenger, list, module, rank);
    const std::string where =
        "passenger " + passenger.value("name", std::string("?")) + ", " + list + " " + module;
    for (const std::string& key : secret_keys(registry, list, ref)) {
      const json* old_value = old != nullptr && old->contains(key) ? &old->at(key) : nullptr;
      changed = restore_value(ref[key], old_value, where, key) || changed;
    }
  });
  each_user_secret(doc, [&](json& user, const char* key) {
    if (user[key] != kSecretMask) return;
    const json name = user.value("username", json());
    const json* old = nullptr;
    if (!stored.is_discarded() && stored.is_object() && stored.contains("users")) {
      for (const json& u : stored["users"]) {
        if (u.is_object() && u.value("username", json()) == name && u.contains(key)) {
          old = &u.at(key);
        }
      }
    }
    changed = restore_value(user[key], old,
                            "user " + (name.is_string() ? name.get<std::string>() : "?"), key) ||
              changed;
  });
  return changed ? dump(doc) : edited;
}

}  // namespace databus::web
