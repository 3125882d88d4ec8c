// What the web server decides about a request outside its route handlers
// (docs/security.md, "Hostile connections" and "Errors and redirects"):
// before routing, once the headers are read; when reading it failed; when a
// handler let an exception escape.
#pragma once

#include <exception>

#include "web/http.h"
#include "web/web_state.h"

namespace databus::web {

// The pre-routing handler:
//   - 421 for a Host header naming another server (host_check.h);
//   - the body limit of a request with a body, by who sent it: the
//     inbox's (inbox_body_limit()) for an inbox request with its token,
//     limits.body_bytes with a valid session or bearer token, else
//     limits.anonymous_body_bytes; a Content-Length over it is answered
//     413 at once, without reading the body, and the connection closed.
//     A body without a length (chunked) is counted as it arrives
//     (connection.h).
httplib::Server::HandlerResponse check_request(WebState& state, const httplib::Request& req,
                                               httplib::Response& res);

// The error handler: a body read past its limit is answered 413, a client
// too slow for the body timeout 408 (both close the connection); other
// errors are left as they are.
httplib::Server::HandlerResponse explain_connection_error(const httplib::Request& req,
                                                          httplib::Response& res);

// The exception handler, for what escapes a route handler: a generic 500
// with a request id (handle_error(), error_status.h).
void answer_exception(const WebState& state, const httplib::Request& req, httplib::Response& res,
                      std::exception_ptr error);

}  // namespace databus::web
