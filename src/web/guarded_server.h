// The web server's httplib server with the connection handling of
// docs/security.md, "Hostile connections": httplib 0.11 parses requests,
// routes them and writes responses, but each accepted connection is served
// here, through a Connection (connection.h) that owns every timeout and
// counts the body, on a thread of a ConnectionPool (connection_pool.h).
//
// httplib lets a subclass replace how one accepted socket is served (the
// virtual process_and_close_socket()) and parse a request from any
// httplib::Stream (the protected process_request()); GuardedServer<Base>
// does both, for Base = httplib::Server or httplib::SSLServer (whose TLS
// context it uses).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <type_traits>
#include <utility>

#include "databus/web_server.h"
#include "web/http.h"

namespace databus::web {

// What every connection of one server shares: the limits and the stop
// signal. Thread-safety: serve() from any number of threads; stop() from
// any thread.
class ConnectionGuard {
 public:
  // httplib's request parser on one stream (Server::process_request).
  using ProcessRequest =
      std::function<bool(httplib::Stream& stream, bool close_connection, bool& connection_closed,
                         const std::function<void(httplib::Request&)>& setup_request)>;

  explicit ConnectionGuard(const WebConnectionLimits& limits);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  const WebConnectionLimits& limits() const { return limits_; }
  // A new pool for httplib's listening loop, which owns it.
  httplib::TaskQueue* new_task_queue() const;
  // Serves the accepted socket `sock` (TLS with `tls`, else plain) request
  // by request until it ends, then closes it.
  void serve(int sock, SSL_CTX* tls, const ProcessRequest& process);
  // Every connection stops waiting and ends after its current request.
  void stop();

 private:
  const WebConnectionLimits limits_;
  const int stop_fd_;  // An eventfd, readable once stop() was called.
  std::atomic<bool> stopping_{false};
};

template <class Base>
class GuardedServer : public Base {
 public:
  // `guard` must outlive the server; `args` are Base's.
  template <class... Args>
  explicit GuardedServer(ConnectionGuard& guard, Args&&... args)
      : Base(std::forward<Args>(args)...), guard_(guard) {
    this->new_task_queue = [&guard] { return guard.new_task_queue(); };
  }

  // httplib 0.11 listens with a backlog of 5, too few for a burst of
  // connections; call after binding.
  void widen_backlog() { ::listen(this->svr_sock_, SOMAXCONN); }

 private:
  bool process_and_close_socket(socket_t sock) override {
    SSL_CTX* tls = nullptr;
    if constexpr (std::is_base_of_v<httplib::SSLServer, Base>) tls = this->ssl_context();
    guard_.serve(sock, tls,
                 [this](httplib::Stream& stream, bool close_connection, bool& connection_closed,
                        const std::function<void(httplib::Request&)>& setup_request) {
                   return this->process_request(stream, close_connection, connection_closed,
                                                setup_request);
                 });
    return true;
  }

  ConnectionGuard& guard_;
};

}  // namespace databus::web
