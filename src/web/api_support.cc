#include "web/api_support.h"

#include <charconv>

#include "web/error_status.h"
#include "web/routes.h"

namespace databus::web {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

ApiHandler api(WebState& state, ApiHandler h) {
  return [&state, h](const Request& req, Response& res) {
    try {
      h(req, res);
    } catch (...) {
      const ErrorStatus error = handle_error(state, req, std::current_exception());
      send_json(res, json{{"error", error.message}}, error.status);
      apply_error_status(error, res);
    }
  };
}

json body(const Request& req) {
  if (req.body.empty()) return json::object();
  try {
    json j = json::parse(req.body);
    if (!j.is_object()) throw HttpError(400, "the request body must be a JSON object");
    return j;
  } catch (const json::parse_error& e) {
    // Where, not the parser's own message (docs/security.md, "Errors and
    // redirects").
    throw HttpError(
        400, "the request body is not valid JSON (error at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {
    throw HttpError(400, "the request body is not valid JSON");
  }
}

std::string string_field(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) {
    throw HttpError(400, std::string("field \"") + key + "\" (string) is required");
  }
  return j[key].get<std::string>();
}

std::string optional_string_field(const json& j, const char* key) {
  if (!j.contains(key)) return "";
  if (!j[key].is_string())
    throw HttpError(400, std::string("field \"") + key + "\" must be a string");
  return j[key].get<std::string>();
}

std::size_t number_param(const Request& req, const char* key, std::size_t fallback) {
  if (!req.has_param(key)) return fallback;
  const std::string text = req.get_param_value(key);
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw HttpError(400, std::string("query parameter ") + key + " must be a number");
  }
  return value;
}

std::string param(const Request& req, const char* key, const std::string& fallback) {
  return req.has_param(key) ? req.get_param_value(key) : fallback;
}

Principal api_principal(WebState& state, const Request& req, Response& res,
                        const std::string& client, Access access) {
  Principal who = authorize(state, req, res, client, access, false);
  if (access != Access::read) check_csrf(who, req, true);
  return who;
}

}  // namespace databus::web
