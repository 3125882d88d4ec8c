#include "web/guarded_server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "web/connection.h"
#include "web/connection_pool.h"

namespace databus::web {

ConnectionGuard::ConnectionGuard(const WebConnectionLimits& limits)
    : limits_(limits), stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ConnectionGuard::~ConnectionGuard() {
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

httplib::TaskQueue* ConnectionGuard::new_task_queue() const {
  return new ConnectionPool(limits_.max_connections > 0 ? limits_.max_connections : 1);
}

void ConnectionGuard::serve(int sock, SSL_CTX* tls, const ProcessRequest& process) {
  {
    Connection connection(sock, tls, limits_, stop_fd_);
    CurrentConnection current(&connection);
    const auto begin_body = [&](httplib::Request&) {
      connection.begin_body(limits_.anonymous_body_bytes);
    };
    if (connection.handshake()) {
      for (std::size_t n = 1; n <= limits_.max_requests_per_connection && !stopping_; ++n) {
        if (!connection.await_request()) break;
        bool closed = false;
        const bool last = n == limits_.max_requests_per_connection || stopping_;
        if (!process(connection, last, closed, begin_body) || closed || connection.must_close() ||
            connection.reading_headers()) {
          break;
        }
      }
    }
    connection.finish();
  }
  ::close(sock);
}

void ConnectionGuard::stop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_fd_, &one, sizeof one);
}

}  // namespace databus::web
