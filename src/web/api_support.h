// Helpers shared by the REST API's route files (api_routes.cc,
// api_retry_routes.cc): error answers, request bodies and parameters, and
// the principal of a request (access.h).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "web/access.h"
#include "web/http.h"
#include "web/web_state.h"

namespace databus::web {

using ApiHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Wraps a handler: every error is answered as {"error": message} with its
// status (error_status.h).
ApiHandler api(WebState& state, ApiHandler handler);

// The request body as a JSON object ({} when empty). HttpError 400 for
// anything else, naming where the JSON breaks (never the parser's message).
nlohmann::json body(const httplib::Request& req);

// The body field `key` as a string; HttpError 400 naming it when it is
// missing or no string.
std::string string_field(const nlohmann::json& j, const char* key);
// Like string_field(), "" when the field is absent.
std::string optional_string_field(const nlohmann::json& j, const char* key);

// Query parameter `key` as a number, `fallback` when absent; HttpError 400
// naming it when it is no number.
std::size_t number_param(const httplib::Request& req, const char* key, std::size_t fallback);
std::string param(const httplib::Request& req, const char* key, const std::string& fallback = "");

// The principal allowed `access` to `client` (authorize()); for operate and
// change also the CSRF rule and the JSON content type (check_csrf()).
Principal api_principal(WebState& state, const httplib::Request& req, httplib::Response& res,
                        const std::string& client, Access access);

}  // namespace databus::web
