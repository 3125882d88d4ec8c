#include "web/login.h"

#include "databus/error.h"
#include "web/access.h"
#include "web/credentials.h"
#include "web/service.h"

namespace databus::web {

namespace {

bool is_pre_session(const std::string& value) {
  return value.size() == 64 && value.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string login_pre_session(const httplib::Request& req, bool* set_cookie) {
  std::string value = cookie(req, kLoginCookie);
  *set_cookie = !is_pre_session(value);
  if (*set_cookie) value = random_hex(32);
  return value;
}

std::string login_cookie(const WebState& state, const std::string& value) {
  std::string c =
      std::string(kLoginCookie) + "=" + value +
      "; Path=/login; HttpOnly; SameSite=Strict; Max-Age=" + (value.empty() ? "0" : "3600");
  if (state.tls()) c += "; Secure";
  return c;
}

std::string login_form_token(const WebState& state, const std::string& value) {
  return keyed_digest(state.login_form_key, "login:" + value);
}

bool login_form_valid(const WebState& state, const httplib::Request& req) {
  const std::string value = cookie(req, kLoginCookie);
  const std::string sent = req.has_param("login_csrf") ? req.get_param_value("login_csrf") : "";
  return is_pre_session(value) && !sent.empty() &&
         secrets_equal(sent, login_form_token(state, value));
}

namespace {

// Checks client, user and password against the store, throttled
// (login_throttle.h); see log_in() for what it throws. Returns the user, or
// nullopt for a client without users (authentication off).
std::optional<User> authenticate(WebState& state, const std::string& client_id,
                                 const std::string& username, const std::string& password,
                                 const std::string& remote_addr) {
  const std::string user_key = "user:" + client_id + "/" + username;
  const std::string addr_key = "addr:" + remote_addr;
  // Counted as failed from here on (login_throttle.h): attempts running at
  // the same time wait as if they had come one after another.
  const std::chrono::seconds wait = state.throttle.begin_attempt({user_key, addr_key});
  if (wait.count() > 0) {
    throw HttpError(
        429, "too many failed logins; try again in " + std::to_string(wait.count()) + " seconds",
        wait.count());
  }
  std::optional<ClientConfig> config;
  try {
    check_client_id_param(client_id);
    config = state.dispatcher.database().load_client(client_id);
  } catch (const HttpError&) {
  } catch (const CorruptDataError&) {
  } catch (const StorageError&) {
    throw;  // The store is down: 503, and no failed login is counted.
  } catch (const Error&) {
  }
  if (config && config->users.empty()) {
    state.throttle.succeeded(user_key);
    state.throttle.succeeded(addr_key);
    return std::nullopt;
  }
  const User* user = nullptr;
  if (config) {
    for (const User& u : config->users) {
      if (u.username == username) user = &u;
    }
  }
  if (user != nullptr && verify_password(user->password, password)) {
    state.throttle.succeeded(user_key);
    state.throttle.succeeded(addr_key);
    return *user;
  }
  if (user == nullptr) {
    // As slow as checking a hashed password, so that the time taken does
    // not tell whether the client and user exist.
    static const std::string kDummyHash = hash_password(random_hex(16));
    verify_password(kDummyHash, password);
  }
  throw HttpError(401, "wrong client, user or password");
}

}  // namespace

Session log_in(WebState& state, const std::string& client_id, const std::string& username,
               const std::string& password, const std::string& remote_addr) {
  const std::optional<User> user = authenticate(state, client_id, username, password, remote_addr);
  if (!user) return state.sessions.create(client_id, "", "");
  if (!state.options.allow_default_passwords && is_default_password(user->password, username)) {
    throw DefaultPasswordError(client_id, username);
  }
  return state.sessions.create(client_id, user->username, user->token);
}

Session change_default_password(WebState& state, const std::string& client_id,
                                const std::string& username, const std::string& password,
                                const std::string& new_password, const std::string& repeated,
                                const std::string& remote_addr) {
  const std::optional<User> user = authenticate(state, client_id, username, password, remote_addr);
  if (!user || !is_default_password(user->password, username)) {
    throw HttpError(400, "this password is not a default one: log in with it");
  }
  if (new_password != repeated) throw HttpError(400, "the two new passwords differ");
  if (is_default_password(new_password, username)) {
    throw HttpError(400, "the new password is a default one too; choose another");
  }
  // As the user themselves: the backup records "user@client" as the editor.
  const Principal self{client_id, username, user->role, false, "", ""};
  service::set_password(state, client_id, username, new_password, self);  // 400 when short.
  return state.sessions.create(client_id, user->username, user->token);
}

}  // namespace databus::web
