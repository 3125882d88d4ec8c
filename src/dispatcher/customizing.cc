#include "dispatcher/customizing.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "databus/error.h"
#include "fs/atomic_file.h"
#include "registry/host_access.h"

namespace databus::dispatch {
namespace {

// What a client added through "__clients__" starts with.
constexpr char kEmptyClientConfig[] = R"({"log_life_span": 1, "passengers": [], "users": []})";

std::string node_where(const std::string& client_id, const std::string& node) {
  return "customizing node " + node + " of client '" + client_id + "'";
}

// A client id becomes a folder name: keep it to a safe alphabet.
bool valid_client_id(const std::string& id) {
  if (id.empty() || id.front() == '.' || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '-' || c == '.';
  });
}

nlohmann::json parse_json(const std::string& text, const std::string& where) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(where, "", std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace

ClientConfig validate_client_config(const Registry& registry, const std::string& client_id,
                                    const std::string& text, const std::string& where) {
  std::vector<ConfigError> problems;
  ClientConfig config = ClientConfig::parse(client_id, text, where, problems);
  for (ConfigError& p : registry.check_client(config, where)) problems.push_back(std::move(p));
  throw_config_problems(std::move(problems));
  return config;
}

Customizing::Customizing(Database& database, const Registry& registry,
                         std::vector<ExternalConfigFile> external_files)
    : database_(database), registry_(registry), external_files_(std::move(external_files)) {}

std::vector<CustomizingNode> Customizing::nodes(const std::string& client_id) const {
  std::vector<CustomizingNode> out;
  out.push_back(CustomizingNode{kDatabusNode, false, false});
  if (client_id == kRootClient) out.push_back(CustomizingNode{kClientsNode, true, false});
  for (const ExternalConfigFile& f : external_files_) {
    if (f.client_id == client_id) out.push_back(CustomizingNode{f.id, false, true});
  }
  return out;
}

const ExternalConfigFile* Customizing::external_file(const std::string& client_id,
                                                     const std::string& node) const {
  for (const ExternalConfigFile& f : external_files_) {
    if (f.client_id == client_id && f.id == node) return &f;
  }
  return nullptr;
}

std::string Customizing::read(const std::string& client_id, const std::string& node) {
  if (node == kDatabusNode) return database_.read_client_config_text(client_id);
  if (node == kClientsNode) {
    if (client_id != kRootClient) {
      throw NotFoundError(node_where(client_id, node) + ": only client root has this node");
    }
    return nlohmann::json{{"clients", database_.client_ids()}}.dump(2);
  }
  const ExternalConfigFile* f = external_file(client_id, node);
  if (f == nullptr) throw NotFoundError(node_where(client_id, node) + ": no such node");
  if (!std::filesystem::exists(f->path)) {
    // The path is the operator's business (docs/security.md, "Errors and
    // redirects"): a client's administrator reads this message too.
    throw NotFoundError(node_where(client_id, node) +
                        ": its file does not exist yet (the first save creates it)");
  }
  return durable::read_file(f->path);
}

void Customizing::save(const std::string& client_id, const std::string& node,
                       const std::string& text, Editor editor) {
  const std::string where = node_where(client_id, node);
  if (node == kDatabusNode) {
    const ClientConfig next = validate_client_config(registry_, client_id, text, where);
    // Also proves the client exists (NotFoundError otherwise).
    const std::string current = database_.read_client_config_text(client_id);
    if (editor == Editor::client) {
      // A stored configuration that no longer parses vouches for nothing.
      ClientConfig before;
      before.id = client_id;
      try {
        before = ClientConfig::parse(client_id, current, where);
      } catch (const ConfigError&) {
      }
      host_access::check_host_changes(registry_, before, next);
    }
    database_.write_backup(client_id, node, current);
    database_.write_client_config_text(client_id, text);
    return;
  }
  if (node == kClientsNode) {
    if (client_id != kRootClient) {
      throw NotFoundError(where + ": only client root has this node");
    }
    save_clients(text);
    return;
  }
  const ExternalConfigFile* f = external_file(client_id, node);
  if (f == nullptr) throw NotFoundError(where + ": no such node");
  parse_json(text, where + " (file " + f->path.string() + ")");
  if (std::filesystem::exists(f->path)) {
    database_.write_backup(client_id, node, durable::read_file(f->path));
  }
  const std::filesystem::path parent = f->path.parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent)) {
    durable::create_directories_durably(parent);
  }
  durable::write_file_atomically(f->path, text);
}

void Customizing::save_clients(const std::string& text) {
  const std::string where = node_where(kRootClient, kClientsNode);
  const nlohmann::json j = parse_json(text, where);
  if (!j.is_object()) throw ConfigError(where, "", "must be an object {\"clients\": [...]}");
  for (const auto& [key, value] : j.items()) {
    if (key != "clients") throw ConfigError(where, key, "unknown key; only \"clients\" is allowed");
  }
  if (!j.contains("clients") || !j["clients"].is_array()) {
    throw ConfigError(where, "clients", "must be an array of client ids");
  }
  std::set<std::string> wanted;
  for (std::size_t i = 0; i < j["clients"].size(); ++i) {
    const nlohmann::json& id = j["clients"][i];
    const std::string field = "clients[" + std::to_string(i) + "]";
    if (!id.is_string()) throw ConfigError(where, field, "must be a string");
    if (!valid_client_id(id.get<std::string>())) {
      throw ConfigError(where, field,
                        "'" + id.get<std::string>() +
                            "' is not a valid client id (letters, digits, '_', '-', '.'; "
                            "not starting with '.')");
    }
    wanted.insert(id.get<std::string>());
  }
  const std::vector<std::string> existing = database_.client_ids();
  for (const std::string& id : existing) {
    if (!wanted.contains(id)) {
      throw ConfigError(where, "clients",
                        "client '" + id +
                            "' is missing: removing a client through __clients__ is not "
                            "supported (stop Databus and delete its data instead)");
    }
  }
  database_.write_backup(kRootClient, kClientsNode, read(kRootClient, kClientsNode));
  for (const std::string& id : wanted) {
    if (std::find(existing.begin(), existing.end(), id) == existing.end()) {
      database_.write_client_config_text(id, kEmptyClientConfig);
    }
  }
}

void Customizing::backup_all() {
  for (const std::string& client_id : database_.client_ids()) {
    for (const CustomizingNode& node : nodes(client_id)) {
      try {
        if (node.external && !std::filesystem::exists(external_file(client_id, node.name)->path)) {
          continue;  // Nothing to back up yet.
        }
        database_.write_backup(client_id, node.name, read(client_id, node.name));
      } catch (const std::exception& e) {
        std::clog << "databus dispatcher: cannot back up " << node_where(client_id, node.name)
                  << ": " << e.what() << std::endl;
      }
    }
  }
}

}  // namespace databus::dispatch
