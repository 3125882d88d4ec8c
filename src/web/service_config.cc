// The part of the service layer that saves a client's configuration
// (service.h): users (their tokens and passwords) and customizing nodes,
// every save from the version it was made from (docs/api.md "Edit
// conflicts").

#include "databus/error.h"
#include "web/credentials.h"
#include "web/secret_mask.h"
#include "web/service.h"

namespace databus::web::service {
namespace {

constexpr char kDatabusNode[] = "__databus__";

const Registry& registry(WebState& state) { return *state.dispatcher.ticket().registry; }

json time_or_null(const std::optional<TimePoint>& t) { return t ? json(to_iso(*t)) : json(); }

User& find_user(ClientConfig& config, const std::string& username) {
  for (User& u : config.users) {
    if (u.username == username) return u;
  }
  throw HttpError(404, "client '" + config.id + "' has no user '" + username + "'");
}

// Who saved, as a version records it: "alice@demo"; empty for the anonymous
// user of a client without users.
std::string saved_by(const Principal& who) {
  return who.anonymous() ? "" : who.username + "@" + who.client_id;
}

// Applies `change` (a user's token or password) to the stored configuration
// and saves it from the version it read: as the operator's code
// (Editor::root), since no host setting can differ from the stored one. A
// save by someone else in between is never overwritten: the change is made
// again on a fresh read (the user asked for one change, not for a text).
template <typename Change>
void change_config(WebState& state, const std::string& client_id, const Principal& who,
                   Change change) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    VersionedText stored;
    ClientConfig config;
    try {
      stored = state.dispatcher.read_customizing_versioned(client_id, kDatabusNode);
      config = ClientConfig::parse(client_id, stored.text, "configuration of client " + client_id);
    } catch (const NotFoundError& e) {
      throw HttpError(404, e.what());
    } catch (const ConfigError& e) {
      throw HttpError(409, e.what());
    }
    change(config);
    try {
      state.dispatcher.save_customizing(
          client_id, kDatabusNode, config.to_json().dump(2) + "\n",
          CustomizingSave{Editor::root, stored.version.tag, saved_by(who)});
      state.tokens.invalidate();
      return;
    } catch (const EditConflictError&) {
      if (attempt == kAttempts) throw;
    } catch (const ConfigError& e) {
      throw HttpError(409, e.what());
    }
  }
}

json version_json(const std::string& tag, const std::string& saved_by) {
  const std::optional<TimePoint> saved = ConfigVersion::saved_at(tag);
  return json{{"version", tag},
              {"saved", time_or_null(saved)},
              {"saved_by", saved_by.empty() ? json() : json(saved_by)}};
}

void check_node_access(WebState& state, const std::string& client_id, const std::string& node,
                       const Principal& who) {
  for (const CustomizingNode& n : state.dispatcher.customizing_nodes(client_id)) {
    if (n.name == node) {
      if (n.root_only && !who.root()) throw HttpError(403, "node " + node + " is root only");
      return;
    }
  }
  throw HttpError(404, "client '" + client_id + "' has no customizing node '" + node + "'");
}
}  // namespace

json users(WebState& state, const std::string& client_id, const Principal& who) {
  const ClientConfig config = load_client_config(state, client_id);
  json out = json::array();
  for (const User& u : config.users) {
    json item{{"username", u.username},
              {"role", to_string(u.role)},
              {"password_hashed", is_password_hash(u.password)},
              {"has_token", !u.token.empty()}};
    if (who.client_id == client_id && who.username == u.username) item["token"] = u.token;
    out.push_back(std::move(item));
  }
  return json{{"client_id", client_id}, {"authentication", !config.users.empty()}, {"users", out}};
}

std::string revoke_token(WebState& state, const std::string& client_id, const std::string& username,
                         const Principal& who) {
  const std::string token = random_hex(32);
  change_config(state, client_id, who,
                [&](ClientConfig& config) { find_user(config, username).token = token; });
  state.sessions.remove_user(client_id, username);
  return token;
}

void set_password(WebState& state, const std::string& client_id, const std::string& username,
                  const std::string& password, const Principal& who) {
  if (password.size() < 8) throw HttpError(400, "a password needs at least 8 characters");
  const std::string hash = hash_password(password);
  change_config(state, client_id, who,
                [&](ClientConfig& config) { find_user(config, username).password = hash; });
  state.sessions.remove_user(client_id, username);
}

json customizing_nodes(WebState& state, const std::string& client_id, const Principal& who) {
  load_client_config(state, client_id);
  json nodes = json::array();
  for (const CustomizingNode& n : state.dispatcher.customizing_nodes(client_id)) {
    if (n.root_only && !who.root()) continue;
    nodes.push_back(json{{"name", n.name}, {"root_only", n.root_only}, {"external", n.external}});
  }
  json backups = json::array();
  for (const BackupInfo& b : state.dispatcher.database().list_backups(client_id)) {
    backups.push_back(json{{"id", b.id}, {"node", b.node}, {"created", to_iso(b.created)}});
  }
  return json{{"client_id", client_id}, {"nodes", nodes}, {"backups", backups}};
}

json customizing_node(WebState& state, const std::string& client_id, const std::string& node,
                      const Principal& who) {
  check_node_access(state, client_id, node, who);
  try {
    VersionedText stored = state.dispatcher.read_customizing_versioned(client_id, node);
    if (node == kDatabusNode) stored.text = mask_config_secrets(stored.text, registry(state));
    json out = version_json(stored.version.tag, stored.version.saved_by);
    out["client_id"] = client_id;
    out["node"] = node;
    out["text"] = stored.text;
    return out;
  } catch (const NotFoundError& e) {
    throw HttpError(404, e.what());
  }
}

ConfigVersion save_customizing(WebState& state, const std::string& client_id,
                               const std::string& node, const std::string& text,
                               const Principal& who, const std::string& expected_version) {
  check_node_access(state, client_id, node, who);
  try {
    // A mask left unchanged keeps the stored secret (secret_mask.h): the
    // current one, which is the loaded one unless the save is refused.
    const std::string restored =
        node == kDatabusNode
            ? restore_config_secrets(text, state.dispatcher.read_customizing(client_id, node),
                                     registry(state))
            : text;
    // Host settings are root's decision (docs/security.md, "Host access").
    const ConfigVersion saved = state.dispatcher.save_customizing(
        client_id, node, restored,
        CustomizingSave{who.root() ? Editor::root : Editor::client, expected_version,
                        saved_by(who)});
    state.tokens.invalidate();  // Users and tokens may have changed.
    return saved;
  } catch (const ForbiddenError& e) {
    throw HttpError(403, e.what());
  } catch (const ConfigError& e) {
    throw HttpError(422, e.what());
  } catch (const NotFoundError& e) {
    throw HttpError(404, e.what());
  }
}

json edit_conflict(const EditConflictError& e) {
  return json{{"error", e.what()},
              {"loaded_version", version_json(e.loaded(), "")},
              {"current_version", version_json(e.current().tag, e.current().saved_by)}};
}

}  // namespace databus::web::service
