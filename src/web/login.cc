#include "web/login.h"

#include "databus/error.h"
#include "web/access.h"
#include "web/credentials.h"

namespace databus::web {

Session log_in(WebState& state, const std::string& client_id, const std::string& username,
               const std::string& password, const std::string& remote_addr) {
  const std::string user_key = "user:" + client_id + "/" + username;
  const std::string addr_key = "addr:" + remote_addr;
  const std::chrono::seconds wait =
      std::max(state.throttle.wait(user_key), state.throttle.wait(addr_key));
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
  } catch (const Error&) {
  }
  if (config && config->users.empty()) {
    return state.sessions.create(client_id, "", "");
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
    return state.sessions.create(client_id, user->username, user->token);
  }
  if (user == nullptr) {
    // As slow as checking a hashed password, so that the time taken does
    // not tell whether the client and user exist.
    static const std::string kDummyHash = hash_password(random_hex(16));
    verify_password(kDummyHash, password);
  }
  state.throttle.failed(user_key);
  state.throttle.failed(addr_key);
  throw HttpError(401, "wrong client, user or password");
}

}  // namespace databus::web
