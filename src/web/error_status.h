// The one mapping from an exception thrown by a route handler to an HTTP
// answer, shared by the REST API (JSON errors) and the pages (error pages):
//   HttpError      -> its status (and Retry-After when it has one)
//   NotFoundError  -> 404
//   ConfigError    -> 400
//   StateError     -> 409
//   EditConflictError -> 409 (the API's customizing save adds both versions)
//   StorageError   -> 503, a fixed message (the store is down; the detail
//                     goes to the process log); a CorruptDataError is a 500
//   anything else  -> 500
// A 500's message is generic: what went wrong inside (a path of the data
// directory, a library's message) goes to the server's error log under a
// request id, and only the id reaches the client (docs/security.md,
// "Errors and redirects").
#pragma once

#include <exception>
#include <string>

#include "web/http.h"

namespace databus::web {

struct WebState;

struct ErrorStatus {
  int status = 500;
  std::string message;
  long retry_after = 0;    // Seconds for a Retry-After header; 0: none.
  std::string detail;      // 500 only: the error's own message, for the log.
  std::string request_id;  // 500 only, set by handle_error().
};

// Classifies `error`. An HttpError of status 500 is made generic as well
// (its message becomes the detail). REQUIRES: `error` is not null.
ErrorStatus error_status(std::exception_ptr error);

// Writes `detail` about `req` to the server's error log
// (WebServerOptions::error_log) under a new request id, and returns the id.
std::string report_internal_error(const WebState& state, const httplib::Request& req,
                                  const std::string& detail);

// error_status(), and for a 500 a new request id in the message and one
// line in the server's error log (WebServerOptions::error_log): the id,
// method, path and detail.
ErrorStatus handle_error(const WebState& state, const httplib::Request& req,
                         std::exception_ptr error);

// Sets res.status and, when the error has them, the Retry-After and
// X-Request-Id headers. The body is the caller's (JSON or a page).
void apply_error_status(const ErrorStatus& error, httplib::Response& res);

}  // namespace databus::web
