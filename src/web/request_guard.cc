#include "web/request_guard.h"

#include <cstdint>
#include <optional>
#include <string>

#include "web/access.h"
#include "web/connection.h"
#include "web/error_status.h"
#include "web/host_check.h"
#include "web/inbox.h"
#include "web/routes.h"

namespace databus::web {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

// API paths answer errors as JSON, the rest as text.
void answer(const Request& req, Response& res, int status, const std::string& message) {
  if (req.path.starts_with("/api/")) {
    send_json(res, nlohmann::json{{"error", message}}, status);
  } else {
    res.status = status;
    res.set_content(std::to_string(status) + " " + message + "\n", "text/plain; charset=utf-8");
  }
}

void refuse_body(const Request& req, Response& res, std::size_t limit) {
  answer(req, res, 413, "the request body is larger than " + std::to_string(limit) + " bytes");
  res.set_header("Connection", "close");
}

bool has_body(const Request& req) {
  return req.has_header("Transfer-Encoding") ||
         req.get_header_value<std::uint64_t>("Content-Length") > 0;
}

std::size_t body_limit(WebState& state, const Request& req) {
  const WebConnectionLimits& limits = state.options.limits;
  try {
    if (req.path.starts_with("/api/v1/inbox/")) {
      return inbox_body_limit(state, req).value_or(limits.anonymous_body_bytes);
    }
    return identify(state, req) ? limits.body_bytes : limits.anonymous_body_bytes;
  } catch (const std::exception&) {
    return limits.anonymous_body_bytes;  // Whoever it is could not be told.
  }
}

}  // namespace

HandlerResponse check_request(WebState& state, const Request& req, Response& res) {
  const WebOptions& o = state.options;
  if (!host_allowed(req.get_header_value("Host"), o.host, o.allowed_hosts)) {
    res.status = 421;
    res.set_content("421 Misdirected Request: this server does not answer for host '" +
                        req.get_header_value("Host") + "' (see --allowed-host in docs/api.md)\n",
                    "text/plain; charset=utf-8");
    // A body of the request is left unread.
    if (Connection* c = current_connection(); c != nullptr && has_body(req)) {
      c->close_after_response();
    }
    return HandlerResponse::Handled;
  }
  Connection* connection = current_connection();
  if (connection == nullptr || !has_body(req)) return HandlerResponse::Unhandled;
  const std::size_t limit = body_limit(state, req);
  connection->set_body_limit(limit);
  if (req.get_header_value<std::uint64_t>("Content-Length") > limit) {
    connection->close_after_response();
    refuse_body(req, res, limit);
    return HandlerResponse::Handled;
  }
  return HandlerResponse::Unhandled;
}

HandlerResponse explain_connection_error(const Request& req, Response& res) {
  const Connection* connection = current_connection();
  if (connection == nullptr) return HandlerResponse::Unhandled;
  if (connection->body_limit_exceeded()) {
    refuse_body(req, res, connection->body_limit());
    return HandlerResponse::Handled;
  }
  if (connection->timed_out()) {
    answer(req, res, 408, "the request did not arrive in time");
    res.set_header("Connection", "close");
    return HandlerResponse::Handled;
  }
  return HandlerResponse::Unhandled;
}

void answer_exception(const WebState& state, const Request& req, Response& res,
                      std::exception_ptr error) {
  const ErrorStatus e = handle_error(state, req, error);
  answer(req, res, e.status, e.message);
  apply_error_status(e, res);
}

}  // namespace databus::web
