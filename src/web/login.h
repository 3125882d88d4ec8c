// Logging in with client, username and password (pages and API alike).
#pragma once

#include <string>

#include "web/access.h"
#include "web/http.h"
#include "web/sessions.h"
#include "web/web_state.h"

namespace databus::web {

// The login form's CSRF protection, before any session exists: the login
// page sets a random pre-session cookie (HttpOnly, SameSite=Strict, path
// /login) and its form carries login_form_token() of it in the hidden field
// `login_csrf`; a form login must send both. A forged cross-site form cannot
// read or set the cookie, so it cannot log the victim in to the attacker's
// account. (The JSON login API is protected by its content type.)
inline constexpr char kLoginCookie[] = "databus_login";

// The pre-session cookie of `req` when it has one of the right form, or a new
// one; `set_cookie` tells whether it is new and must be sent.
std::string login_pre_session(const httplib::Request& req, bool* set_cookie);
// The Set-Cookie value for pre-session `value` (empty: ends it).
std::string login_cookie(const WebState& state, const std::string& value);
// The hidden field's value for pre-session `value`.
std::string login_form_token(const WebState& state, const std::string& value);
// True when `req` carries a pre-session cookie and its matching form token.
bool login_form_valid(const WebState& state, const httplib::Request& req);

// Starts a session for the user, or an anonymous one when the client has no
// users (authentication off). Throws HttpError 429 (with the seconds to wait
// in the message) while the user or the address is throttled, and 401 for a
// wrong client, user or password (one message for all three, so that it
// does not tell which clients and users exist). A StorageError of the store
// (down, unreachable) is passed on (503) and not counted as a failed login.
// A right password that is still a default one the server does not allow
// throws DefaultPasswordError (access.h): no session for such a user.
Session log_in(WebState& state, const std::string& client_id, const std::string& username,
               const std::string& password, const std::string& remote_addr);

// The way out of DefaultPasswordError: checks the user's current password as
// log_in() does (throttled alike), then stores `new_password` (at least 8
// characters, equal to `repeated`, not a default one; else 400) as an
// Argon2id hash and starts a session. Throws HttpError 400 when the current
// password is not a default one (nothing to change here: log in).
Session change_default_password(WebState& state, const std::string& client_id,
                                const std::string& username, const std::string& password,
                                const std::string& new_password, const std::string& repeated,
                                const std::string& remote_addr);

}  // namespace databus::web
