#include "dispatcher/customizing.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "databus/error.h"
#include "fs/atomic_file.h"
#include "logging/process_log.h"
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

// The text of node "__clients__".
std::string clients_text(const std::vector<std::string>& ids) {
  return nlohmann::json{{"clients", ids}}.dump(2);
}

TimePoint modification_time(const std::filesystem::path& path) {
  const auto sys = std::chrono::file_clock::to_sys(std::filesystem::last_write_time(path));
  return std::chrono::time_point_cast<Clock::duration>(sys);
}

// Saves without a version that find the configuration saved between their
// read and their write try again this often before they give up.
constexpr int kUncheckedSaveAttempts = 5;

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
    return clients_text(database_.client_ids());
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

VersionedText Customizing::read_versioned(const std::string& client_id, const std::string& node) {
  if (node == kDatabusNode) return database_.read_client_config_versioned(client_id);
  std::string text = read(client_id, node);
  if (node == kClientsNode) {
    ConfigVersion version = ConfigVersion::of_text(text, std::nullopt);
    return VersionedText{std::move(text), std::move(version)};
  }
  ConfigVersion version =
      ConfigVersion::of_text(text, modification_time(external_file(client_id, node)->path));
  return VersionedText{std::move(text), std::move(version)};
}

ConfigVersion Customizing::save(const std::string& client_id, const std::string& node,
                                const std::string& text, const CustomizingSave& save) {
  if (node == kDatabusNode) return save_config(client_id, text, save);
  if (node == kClientsNode) {
    if (client_id != kRootClient) {
      throw NotFoundError(node_where(client_id, node) + ": only client root has this node");
    }
    return save_clients(text, save.expected_version);
  }
  return save_file(client_id, node, text, save.expected_version);
}

ConfigVersion Customizing::save_config(const std::string& client_id, const std::string& text,
                                       const CustomizingSave& save) {
  const std::string where = node_where(client_id, kDatabusNode);
  const ClientConfig next = validate_client_config(registry_, client_id, text, where);
  // Without a version, the save replaces whatever is stored, as it always
  // did: it expects the version it reads here, and reads again should
  // another save come between (then the backup is of what it replaces).
  const bool checked = !save.expected_version.empty();
  for (int attempt = 1;; ++attempt) {
    // Also proves the client exists (NotFoundError otherwise).
    const VersionedText current = database_.read_client_config_versioned(client_id);
    const std::string& expected = checked ? save.expected_version : current.version.tag;
    if (expected != current.version.tag) {
      throw EditConflictError(where, expected, current.version);
    }
    if (save.editor == Editor::client) {
      // A stored configuration that no longer parses vouches for nothing.
      ClientConfig before;
      before.id = client_id;
      try {
        before = ClientConfig::parse(client_id, current.text, where);
      } catch (const ConfigError&) {
      }
      host_access::check_host_changes(registry_, before, next);
    }
    database_.write_backup(client_id, kDatabusNode, current.text);
    try {
      return database_.write_client_config_text_if(client_id, text, expected, save.saved_by);
    } catch (const EditConflictError& e) {
      // Saved by someone else since the read above.
      if (checked || attempt == kUncheckedSaveAttempts) {
        throw EditConflictError(where, e.loaded(), e.current());
      }
    }
  }
}

ConfigVersion Customizing::save_file(const std::string& client_id, const std::string& node,
                                     const std::string& text, const std::string& expected_version) {
  const std::string where = node_where(client_id, node);
  const ExternalConfigFile* f = external_file(client_id, node);
  if (f == nullptr) throw NotFoundError(where + ": no such node");
  parse_json(text, where + " (file " + f->path.string() + ")");
  std::lock_guard<std::mutex> guard(files_mutex_);
  if (std::filesystem::exists(f->path)) {
    const VersionedText current = read_versioned(client_id, node);
    if (!expected_version.empty() && expected_version != current.version.tag) {
      throw EditConflictError(where, expected_version, current.version);
    }
    database_.write_backup(client_id, node, current.text);
  } else if (!expected_version.empty()) {
    // Edited from a file that someone deleted since.
    throw EditConflictError(where, expected_version, ConfigVersion{});
  }
  const std::filesystem::path parent = f->path.parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent)) {
    durable::create_directories_durably(parent);
  }
  durable::write_file_atomically(f->path, text);
  return ConfigVersion::of_text(text, modification_time(f->path));
}

ConfigVersion Customizing::save_clients(const std::string& text,
                                        const std::string& expected_version) {
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
  const std::string current = clients_text(existing);
  const ConfigVersion version = ConfigVersion::of_text(current, std::nullopt);
  if (!expected_version.empty() && expected_version != version.tag) {
    throw EditConflictError(where, expected_version, version);
  }
  for (const std::string& id : existing) {
    if (!wanted.contains(id)) {
      throw ConfigError(where, "clients",
                        "client '" + id +
                            "' is missing: removing a client through __clients__ is not "
                            "supported (stop Databus and delete its data instead)");
    }
  }
  database_.write_backup(kRootClient, kClientsNode, current);
  for (const std::string& id : wanted) {
    if (std::find(existing.begin(), existing.end(), id) == existing.end()) {
      database_.write_client_config_text(id, kEmptyClientConfig);
    }
  }
  return ConfigVersion::of_text(clients_text(database_.client_ids()), std::nullopt);
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
        process_log::warning("dispatcher")
            << "cannot back up " << node_where(client_id, node.name) << ": " << e.what();
      }
    }
  }
}

}  // namespace databus::dispatch
