// Authentication and access control, enforced on every route.
//
// A request is identified by `Authorization: Bearer <user token>` (API
// clients) or by the session cookie. Rules (docs/api.md):
//   - users of a client see that client; users of `root` see every client;
//   - operators read and retry failed steps; administrators also change;
//   - a client with no users has authentication off: anyone is its
//     administrator (pages say so in a warning banner);
//   - state changes need a CSRF token, except with a bearer token (a browser
//     never adds one by itself) — API calls must also be application/json.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "databus/client.h"
#include "web/http.h"
#include "web/web_state.h"

namespace databus::web {

inline constexpr char kSessionCookie[] = "databus_session";
inline constexpr char kRootClient[] = "root";

// An error answered with `status` and `message` (JSON for the API, a page
// for the browser).
class HttpError : public std::runtime_error {
 public:
  // `retry_after`: seconds for a Retry-After header (429), 0 for none.
  HttpError(int status, const std::string& message, long retry_after = 0)
      : std::runtime_error(message), status_(status), retry_after_(retry_after) {}
  int status() const { return status_; }
  long retry_after() const { return retry_after_; }

 private:
  int status_;
  long retry_after_;
};

// A user whose password is still a default one (is_default_password) while
// the server does not allow those (WebServerOptions::allow_default_passwords):
// 403, naming the user and how to change it. The login page answers it with
// the password change form (login.h, change_default_password).
class DefaultPasswordError : public HttpError {
 public:
  DefaultPasswordError(const std::string& client_id, const std::string& username);
};

// read: operators and administrators. operate: the same people, for the
// actions that deal with failures (retrying quarantined or failing steps:
// the operators' daily work, docs/api.md "Security model"); CSRF rules as
// for change. change: administrators only.
enum class Access { read, operate, change };

struct Principal {
  std::string client_id;  // The client the user belongs to.
  std::string username;   // Empty: authentication is off for client_id.
  Role role = Role::operator_;
  bool via_token = false;  // Bearer token: no CSRF token needed.
  std::string session_id;  // Empty for bearer and anonymous API requests.
  std::string csrf_token;
  // The user's password is still a default one (is_default_password):
  // authorize() refuses them unless the server allows those.
  bool default_password = false;

  bool root() const { return client_id == kRootClient; }
  bool admin() const { return role == Role::administrator; }
  bool anonymous() const { return username.empty(); }
};

// Who sent the request (bearer token or live session whose user still exists
// with the token it logged in with), or nullopt. A user whose password is
// still a default one is returned marked so (Principal::default_password).
std::optional<Principal> identify(WebState& state, const httplib::Request& req);

// The principal allowed `access` to `client_id`. Throws HttpError: 400 for an
// invalid id, 404 for an unknown client, 401 when nobody is logged in, 403
// when the user may not or when their password is still a default one that
// the server does not allow (WebServerOptions::allow_default_passwords). With authentication off
// for `client_id`, an unidentified request is its anonymous administrator (`page`: a session is
// started, so that forms get a CSRF token).
Principal authorize(WebState& state, const httplib::Request& req, httplib::Response& res,
                    const std::string& client_id, Access access, bool page);

// Requires a logged-in user of root (`access` as above). Throws HttpError.
Principal authorize_root(WebState& state, const httplib::Request& req, Access access);

// Throws HttpError 403 unless the request may change state: a bearer token,
// or the session's CSRF token in the form field `csrf` or the X-CSRF-Token
// header. API requests (`api`) must also be application/json.
void check_csrf(const Principal& who, const httplib::Request& req, bool api);

// The value of cookie `name`, or "".
std::string cookie(const httplib::Request& req, const std::string& name);

// The Set-Cookie value starting (or, with empty `id`, ending) a session.
std::string session_cookie(const WebState& state, const std::string& id);

// Throws HttpError 400 unless `id` is a client id ([A-Za-z0-9_.-], not "."/"..").
void check_client_id_param(const std::string& id);

// The clients `who` may see, sorted.
std::vector<std::string> visible_clients(WebState& state, const Principal& who);

}  // namespace databus::web
