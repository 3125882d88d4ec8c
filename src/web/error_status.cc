#include "web/error_status.h"

#include "databus/config_version.h"
#include "databus/error.h"
#include "logging/process_log.h"
#include "web/access.h"
#include "web/credentials.h"
#include "web/web_state.h"

namespace databus::web {

ErrorStatus error_status(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    if (e.status() == 500) return {500, "internal error", 0, e.what()};
    return {e.status(), e.what(), e.retry_after()};
  } catch (const NotFoundError& e) {
    return {404, e.what()};
  } catch (const ConfigError& e) {
    return {400, e.what()};
  } catch (const ForbiddenError& e) {
    return {403, e.what()};
  } catch (const StateError& e) {
    return {409, e.what()};
  } catch (const EditConflictError& e) {
    return {409, e.what()};
  } catch (const CorruptDataError& e) {
    return {500, std::string("internal error: ") + e.what()};  // One bad item, not an outage.
  } catch (const StorageError& e) {
    // The store is down or unreachable: a client should retry later. The
    // detail (paths, server messages) is for the operator, not the requester.
    process_log::warning("web") << "answered 503, store unavailable: " << e.what();
    return {503, "the data store is unavailable; try again later"};
  } catch (const std::exception& e) {
    return {500, "internal error", 0, e.what()};
  } catch (...) {
    return {500, "internal error", 0, "an exception that is not a std::exception"};
  }
}

std::string report_internal_error(const WebState& state, const httplib::Request& req,
                                  const std::string& detail) {
  const std::string id = random_hex(8);
  const std::string line =
      "databus web: request " + id + " " + req.method + " " + req.path + ": " + detail;
  if (state.options.error_log) {
    state.options.error_log(line);
  } else {
    process_log::error("web") << line;
  }
  return id;
}

ErrorStatus handle_error(const WebState& state, const httplib::Request& req,
                         std::exception_ptr error) {
  ErrorStatus e = error_status(error);
  if (e.status != 500) return e;
  e.request_id = report_internal_error(state, req, e.detail);
  e.message =
      "internal error (request id " + e.request_id + "; the details are in the server's log)";
  return e;
}

void apply_error_status(const ErrorStatus& error, httplib::Response& res) {
  res.status = error.status;
  if (error.retry_after > 0) res.set_header("Retry-After", std::to_string(error.retry_after));
  if (!error.request_id.empty()) res.set_header("X-Request-Id", error.request_id);
}

}  // namespace databus::web
