#include "web/access.h"

#include <algorithm>

#include "databus/error.h"
#include "storage/storage_names.h"
#include "web/credentials.h"

namespace databus::web {
namespace {

std::optional<ClientConfig> try_load(Database& db, const std::string& client_id) {
  try {
    return db.load_client(client_id);
  } catch (const Error&) {
    return std::nullopt;  // Unknown or malformed: nobody of it can log in.
  }
}

std::optional<Principal> from_bearer(WebState& state, const std::string& token) {
  const std::optional<TokenUser> found = state.tokens.find(state.dispatcher.database(), token);
  if (!found) return std::nullopt;
  Principal who{found->client_id, found->user.username, found->user.role, true, "", ""};
  who.default_password = is_default_password(found->user.password, found->user.username);
  return who;
}

std::optional<Principal> from_session(WebState& state, const std::string& id) {
  const std::optional<Session> s = state.sessions.find(id);
  if (!s) return std::nullopt;
  const std::optional<ClientConfig> config = try_load(state.dispatcher.database(), s->client_id);
  if (!config) return std::nullopt;
  if (s->username.empty()) {
    // Anonymous session: valid while the client still has no users.
    if (!config->users.empty()) return std::nullopt;
    return Principal{s->client_id, "", Role::administrator, false, s->id, s->csrf_token};
  }
  for (const User& u : config->users) {
    if (u.username == s->username && secrets_equal(sha256_hex(u.token), s->token_digest)) {
      Principal who{s->client_id, u.username, u.role, false, s->id, s->csrf_token};
      who.default_password = is_default_password(u.password, u.username);
      return who;
    }
  }
  return std::nullopt;  // User removed or token revoked.
}

// A user with a default password gets in only where the server allows it
// (a session started before such a server, a bearer token: login itself
// refuses earlier).
void refuse_default_password(const WebState& state, const std::optional<Principal>& who) {
  if (who && who->default_password && !state.options.allow_default_passwords) {
    throw DefaultPasswordError(who->client_id, who->username);
  }
}

bool client_exists(Database& db, const std::string& client_id) {
  const std::vector<std::string> ids = db.client_ids();
  return std::find(ids.begin(), ids.end(), client_id) != ids.end();
}

}  // namespace

DefaultPasswordError::DefaultPasswordError(const std::string& client_id,
                                           const std::string& username)
    : HttpError(403, "the password of user '" + username + "' of client '" + client_id +
                         "' is still a default one that everybody knows: change it first (the "
                         "login page offers it, or `databus passwd " +
                         client_id + " " + username + "` on a stopped Databus)") {}

std::string cookie(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string part = header.substr(pos, end - pos);
    const std::size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos) part.erase(0, start);
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 &&
        part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return "";
}

std::string session_cookie(const WebState& state, const std::string& id) {
  std::string c = std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict";
  if (state.tls()) c += "; Secure";
  if (id.empty()) c += "; Max-Age=0";
  return c;
}

void check_client_id_param(const std::string& id) {
  try {
    check_client_id(id);
  } catch (const ConfigError&) {
    throw HttpError(400, "invalid client id");
  }
}

std::optional<Principal> identify(WebState& state, const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.starts_with("Bearer ")) {
    const std::string token = auth.substr(7);
    if (token.empty()) return std::nullopt;
    return from_bearer(state, token);
  }
  const std::string id = cookie(req, kSessionCookie);
  if (id.empty()) return std::nullopt;
  return from_session(state, id);
}

Principal authorize(WebState& state, const httplib::Request& req, httplib::Response& res,
                    const std::string& client_id, Access access, bool page) {
  check_client_id_param(client_id);
  Database& db = state.dispatcher.database();
  const std::optional<Principal> who = identify(state, req);
  refuse_default_password(state, who);
  const bool has_bearer = req.get_header_value("Authorization").starts_with("Bearer ");
  if (has_bearer && !who) throw HttpError(401, "invalid bearer token");
  if (who && (who->root() || who->client_id == client_id)) {
    if (!client_exists(db, client_id)) throw HttpError(404, "unknown client '" + client_id + "'");
    if (access == Access::change && !who->admin()) {
      throw HttpError(403, "operators may only read; this needs an administrator");
    }
    return *who;
  }
  if (!client_exists(db, client_id)) {
    // Do not tell strangers which clients exist.
    throw HttpError(who ? 403 : 401, who ? "no access to this client" : "login required");
  }
  const std::optional<ClientConfig> config = try_load(db, client_id);
  if (config && config->users.empty()) {
    Principal anon{client_id, "", Role::administrator, false, "", ""};
    if (who && who->client_id == client_id) return *who;
    if (page && who && !who->session_id.empty()) {
      // Logged in to another client: keep that session (its cookie is not
      // replaced) and let its CSRF token protect this client's forms too.
      anon.session_id = who->session_id;
      anon.csrf_token = who->csrf_token;
    } else if (page) {
      const Session s = state.sessions.create(client_id, "", "");
      res.set_header("Set-Cookie", session_cookie(state, s.id));
      anon.session_id = s.id;
      anon.csrf_token = s.csrf_token;
    }
    return anon;
  }
  throw HttpError(who ? 403 : 401, who ? "no access to this client" : "login required");
}

Principal authorize_root(WebState& state, const httplib::Request& req, Access access) {
  const std::optional<Principal> who = identify(state, req);
  if (!who) throw HttpError(401, "login required");
  refuse_default_password(state, who);
  if (!who->root()) throw HttpError(403, "only users of client root may do this");
  if (access == Access::change && !who->admin()) {
    throw HttpError(403, "operators may only read; this needs an administrator");
  }
  return *who;
}

void check_csrf(const Principal& who, const httplib::Request& req, bool api) {
  if (api) {
    const std::string type = req.get_header_value("Content-Type");
    if (!type.starts_with("application/json")) {
      throw HttpError(415, "API requests that change state must be application/json");
    }
  }
  if (who.via_token) return;
  if (who.session_id.empty()) {
    // Anonymous API call on a client with authentication off: the JSON
    // content type (which a cross-site form cannot send) is the protection.
    if (api && who.anonymous()) return;
    throw HttpError(403, "missing CSRF token");
  }
  std::string sent = req.get_header_value("X-CSRF-Token");
  if (sent.empty() && req.has_param("csrf")) sent = req.get_param_value("csrf");
  if (sent.empty() || !secrets_equal(sent, who.csrf_token)) {
    throw HttpError(403, "missing or wrong CSRF token");
  }
}

std::vector<std::string> visible_clients(WebState& state, const Principal& who) {
  if (who.root()) return state.dispatcher.database().client_ids();
  return {who.client_id};
}

}  // namespace databus::web
