// WebServer: the web interface and REST API of a running dispatcher
// (docs/api.md; routes and rules in docs/api.md).
//
// The dispatcher starts one itself when the ticket's run_web_server is on
// (the default): Dispatcher::start() calls ticket.web_server_factory, which
// by default is default_web_server_factory() below (127.0.0.1, port
// ticket.web_server_port), and the server stops when the dispatcher stops.
// To serve elsewhere or over TLS, set the factory:
//
//   databus::DispatcherTicket ticket;
//   ticket.web_server_factory = databus::web_server_factory({.host = "0.0.0.0"});
//   databus::Dispatcher dispatcher(std::move(ticket));
//   dispatcher.start();  // Serves on 0.0.0.0:5000 until the dispatcher stops.
//
// A WebServer may also be made and started by hand (with run_web_server off).
//
// Thread-safety: start() and stop() from one thread; requests are served on
// the server's own threads and call the dispatcher, which is thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "databus/dispatcher.h"
#include "databus/dispatcher_service.h"

namespace databus {

// Repeated failed logins, counted per client/user and per remote address:
// after `slow_after` failures each attempt must wait `base_delay`, doubling
// up to `max_delay`; after `lock_after` failures the key is locked for
// `lock_duration`. A success clears the count.
struct LoginThrottlePolicy {
  int slow_after = 3;                           // Default: 3 failures.
  std::chrono::seconds base_delay{1};           // Default: 1 s.
  std::chrono::seconds max_delay{30};           // Default: 30 s.
  int lock_after = 10;                          // Default: 10 failures.
  std::chrono::seconds lock_duration{15 * 60};  // Default: 15 minutes.
};

// How the server holds out against slow and hostile connections
// (docs/security.md, "Hostile connections"). Every connection is served by
// a thread of its own, so idle or slow ones never hold the threads healthy
// requests need; the timeouts bound how long any one connection lasts.
struct WebConnectionLimits {
  // Connections served at once; more wait in the kernel's accept queue
  // until one ends. Default: 512.
  std::size_t max_connections = 512;
  // A connection without a request in progress (before its first request,
  // between keep-alive requests) is closed after this long. Default: 5 s.
  std::chrono::milliseconds idle_timeout{5000};
  // From the first byte of a request to the end of its headers, which may
  // be 64 KiB at most; a slower client is closed. Default: 10 s.
  std::chrono::milliseconds header_timeout{10000};
  // For the whole body of a request; a slower client gets 408 and is
  // closed. Default: 60 s.
  std::chrono::milliseconds body_timeout{60000};
  // For each write of a response to a client that does not read.
  // Default: 10 s.
  std::chrono::milliseconds write_timeout{10000};
  // Requests on one keep-alive connection before it is closed (each
  // connection has its own thread, so a long one takes nothing from
  // others). Default: 1000.
  std::size_t max_requests_per_connection = 1000;
  // The largest body of a request without a valid session or bearer token
  // (and of an inbox request without its webhook's token), counted as it
  // arrives (chunk framing included); one byte more is answered 413.
  // Default: 64 KiB.
  std::size_t anonymous_body_bytes = 64 * 1024;
  // The same for authenticated requests; the webhook inbox instead takes its
  // puller's max_body_bytes. Default: 8 MiB.
  std::size_t body_bytes = 8 * 1024 * 1024;
};

struct WebServerOptions {
  // Address to listen on. Default: 127.0.0.1 (give 0.0.0.0 to serve other
  // hosts, ideally with TLS).
  std::string host = "127.0.0.1";
  // Default: 5000; 0 picks a free port (see WebServer::port()).
  int port = 5000;
  // Against DNS rebinding, a request is answered only when its Host header
  // (without the port) is an IP address literal, `localhost`, `host` above,
  // or one of these names (case-insensitive); others get 421. Give the names
  // users reach the server by (e.g. "databus.example.com"); "*" allows any.
  // Default: none.
  std::vector<std::string> allowed_hosts;
  // Both set: serve HTTPS with this PEM certificate and key. Default: HTTP.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  // A session ends after this long without requests. Default: 30 minutes.
  std::chrono::seconds session_idle{30 * 60};
  // ... and this long after login in any case. Default: 12 hours.
  std::chrono::seconds session_absolute{12 * 3600};
  // Serve users whose password is still a default one (a plaintext `root`,
  // `demo` or the user's own name, as first starts wrote them). Off, such a
  // user cannot log in until the password is changed (the login page offers
  // it), and a session or bearer token of theirs is answered 403. On only
  // for a developer's store (`databus run --demo`, make run).
  // Default: false.
  bool allow_default_passwords = false;
  LoginThrottlePolicy throttle;
  WebConnectionLimits limits;
  // Non-empty, "HOST:PORT" (port 0 picks a free one): also serve GET
  // /metrics, and nothing else, on this address without authentication
  // (docs/operations.md "Monitoring"), for a Prometheus on a trusted network.
  // Plain HTTP, the Host check above applies. Default: none (GET /metrics
  // on the web interface needs a bearer token).
  std::string metrics_address;
  // Receives one line per internal error (a 500): the request id, method,
  // path and the error's own message. The response says only "internal
  // error" and the request id, so that paths and library messages never
  // reach a client. Called from server threads, several at once.
  // Default: empty, lines go to the process log (docs/operations.md,
  // "Monitoring").
  std::function<void(const std::string& line)> error_log;
};

class WebServer : public DispatcherService {
 public:
  // `dispatcher` must outlive this object.
  WebServer(Dispatcher& dispatcher, WebServerOptions options);
  // Stops serving (and waits for a background export started from the web).
  ~WebServer() override;

  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds the port and serves on a background thread; returns once serving.
  // Throws ConfigError when only one TLS file is given or they cannot be
  // loaded, and Error naming the address when the port cannot be bound.
  void start() override;
  // The port bound by start() (useful with port 0).
  int port() const;
  // The port of the metrics_address listener (useful with port 0); 0
  // without one.
  int metrics_port() const;
  // "http://HOST:PORT/" (https under TLS), once started.
  std::string address() const override;
  // Stops accepting requests and waits for the serving thread. Idempotent.
  void stop() override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A ticket's web_server_factory serving with `options`, except that the port
// is the ticket's web_server_port.
DispatcherServiceFactory web_server_factory(WebServerOptions options);

// What a ticket's empty web_server_factory means: web_server_factory() with
// default options (127.0.0.1, no TLS).
DispatcherServiceFactory default_web_server_factory();

}  // namespace databus
