#include "web/error_status.h"

#include <iostream>

#include "databus/error.h"
#include "web/access.h"

namespace databus::web {

ErrorStatus error_status(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    return {e.status(), e.what(), e.retry_after()};
  } catch (const NotFoundError& e) {
    return {404, e.what()};
  } catch (const ConfigError& e) {
    return {400, e.what()};
  } catch (const StateError& e) {
    return {409, e.what()};
  } catch (const CorruptDataError& e) {
    return {500, std::string("internal error: ") + e.what()};  // One bad item, not an outage.
  } catch (const StorageError& e) {
    // The store is down or unreachable: a client should retry later. The
    // detail (paths, server messages) is for the operator, not the requester.
    std::clog << "databus web: answered 503, store unavailable: " << e.what() << std::endl;
    return {503, "the data store is unavailable; try again later"};
  } catch (const std::exception& e) {
    return {500, std::string("internal error: ") + e.what()};
  } catch (...) {
    return {500, "internal error"};
  }
}

void apply_error_status(const ErrorStatus& error, httplib::Response& res) {
  res.status = error.status;
  if (error.retry_after > 0) res.set_header("Retry-After", std::to_string(error.retry_after));
}

}  // namespace databus::web
