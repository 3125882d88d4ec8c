// Logging in with client, username and password (pages and API alike).
#pragma once

#include <string>

#include "web/sessions.h"
#include "web/web_state.h"

namespace databus::web {

// Starts a session for the user, or an anonymous one when the client has no
// users (authentication off). Throws HttpError 429 (with the seconds to wait
// in the message) while the user or the address is throttled, and 401 for a
// wrong client, user or password (one message for all three, so that it
// does not tell which clients and users exist).
Session log_in(WebState& state, const std::string& client_id, const std::string& username,
               const std::string& password, const std::string& remote_addr);

}  // namespace databus::web
