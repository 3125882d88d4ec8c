// The one mapping from an exception thrown by a route handler to an HTTP
// answer, shared by the REST API (JSON errors) and the pages (error pages):
//   HttpError      -> its status (and Retry-After when it has one)
//   NotFoundError  -> 404
//   ConfigError    -> 400
//   StateError     -> 409
//   StorageError   -> 503, a fixed message (the store is down; the detail
//                     goes to std::clog); a CorruptDataError is a 500
//   anything else  -> 500, message "internal error: ..."
#pragma once

#include <exception>
#include <string>

#include "web/http.h"

namespace databus::web {

struct ErrorStatus {
  int status = 500;
  std::string message;
  long retry_after = 0;  // Seconds for a Retry-After header; 0: none.
};

// Classifies `error`. REQUIRES: `error` is not null.
ErrorStatus error_status(std::exception_ptr error);

// Sets res.status and, when the error has one, the Retry-After header.
// The body is the caller's (JSON or a page).
void apply_error_status(const ErrorStatus& error, httplib::Response& res);

}  // namespace databus::web
