#include "databus/web_server.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "components/webhook/webhook_puller.h"
#include "databus/error.h"
#include "web/credentials.h"
#include "web/guarded_server.h"
#include "web/http.h"
#include "web/inbox.h"
#include "web/request_guard.h"
#include "web/routes.h"

namespace databus {

namespace {

// Sent with every response: no framing, no sniffing, nothing from other hosts.
void set_security_headers(httplib::Server& server, bool tls) {
  httplib::Headers headers{
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "same-origin"},
      {"Cache-Control", "no-store"},
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"}};
  if (tls) headers.emplace("Strict-Transport-Security", "max-age=31536000");
  server.set_default_headers(headers);
}

}  // namespace

class WebServer::Impl {
 public:
  Impl(Dispatcher& dispatcher, WebServerOptions options) : state(dispatcher, std::move(options)) {}

  web::WebState state;
  std::unique_ptr<web::ConnectionGuard> guard;  // Outlives the server.
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  // The metrics_address listener, when there is one.
  std::unique_ptr<web::ConnectionGuard> metrics_guard;
  std::unique_ptr<httplib::Server> metrics_server;
  std::thread metrics_thread;
  int metrics_port = 0;

  // Serves GET /metrics alone on options.metrics_address.
  void start_metrics_listener();
};

namespace {

// Binds `server` to host:port (0: any free port); returns the port or
// throws naming the address.
int bind_or_throw(httplib::Server& server, const std::string& host, int port) {
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    throw Error("web server: cannot listen on " + host + ":" + std::to_string(port) +
                " (port in use or address not available)");
  }
  return bound;
}

// Runs the listening loop of a bound server on `thread` and returns once it
// runs: httplib's stop() does nothing before, so a stop() right after start
// cannot be lost.
void listen_in(httplib::Server& server, std::thread& thread) {
  thread = std::thread([&server] { server.listen_after_bind(); });
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which lets a
// second server bind a busy port and share its requests.
void no_port_sharing(httplib::Server& server) {
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
}

}  // namespace

// "HOST:PORT" ([HOST] for IPv6) of WebServerOptions::metrics_address, or
// ConfigError naming the field.
static std::pair<std::string, int> parse_metrics_address(const std::string& address) {
  const std::size_t colon = address.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0 && colon + 1 < address.size() &&
      address.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
      address.size() - colon <= 6) {
    port = std::stoi(address.substr(colon + 1));
  }
  if (port < 0 || port > 65535) {
    throw ConfigError("web server", "metrics_address", "must be HOST:PORT, got '" + address + "'");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return {host, port};
}

void WebServer::Impl::start_metrics_listener() {
  const auto [host, wanted_port] = parse_metrics_address(state.options.metrics_address);
  metrics_guard = std::make_unique<web::ConnectionGuard>(state.options.limits);
  metrics_server = std::make_unique<web::GuardedServer<httplib::Server>>(*metrics_guard);
  httplib::Server& server = *metrics_server;
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return web::check_request(state, req, res);
  });
  no_port_sharing(server);
  web::add_open_metrics_route(server, state);
  metrics_port = bind_or_throw(server, host, wanted_port);
  listen_in(server, metrics_thread);
}

WebServer::WebServer(Dispatcher& dispatcher, WebServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}

WebServer::~WebServer() { stop(); }

void WebServer::start() {
  web::init_crypto();
  const WebServerOptions& o = impl_->state.options;
  if (!o.metrics_address.empty()) parse_metrics_address(o.metrics_address);  // Before binding.
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    throw ConfigError("web server", o.tls_cert.empty() ? "tls_cert" : "tls_key",
                      "TLS needs both a certificate and a key");
  }
  // Connections are served by GuardedServer (docs/security.md, "Hostile
  // connections"): its own threads, timeouts and body counting.
  impl_->guard = std::make_unique<web::ConnectionGuard>(o.limits);
  std::function<void()> widen_backlog;
  if (impl_->state.tls()) {
    auto ssl = std::make_unique<web::GuardedServer<httplib::SSLServer>>(
        *impl_->guard, o.tls_cert.c_str(), o.tls_key.c_str());
    if (!ssl->is_valid()) {
      throw ConfigError("web server", "tls_cert",
                        "cannot load the TLS certificate " + o.tls_cert.string() + " and key " +
                            o.tls_key.string());
    }
    widen_backlog = [s = ssl.get()] { s->widen_backlog(); };
    impl_->server = std::move(ssl);
  } else {
    auto plain = std::make_unique<web::GuardedServer<httplib::Server>>(*impl_->guard);
    widen_backlog = [s = plain.get()] { s->widen_backlog(); };
    impl_->server = std::move(plain);
  }
  httplib::Server& server = *impl_->server;
  set_security_headers(server, impl_->state.tls());
  web::WebState& state = impl_->state;
  // Before any route: the Host check (DNS rebinding) and the body limit.
  server.set_pre_routing_handler([&state](const httplib::Request& req, httplib::Response& res) {
    return web::check_request(state, req, res);
  });
  // A client that waits for "100 Continue" learns of a refusal before it
  // sends the body.
  server.set_expect_100_continue_handler(
      [&state](const httplib::Request& req, httplib::Response& res) {
        return web::check_request(state, req, res) == httplib::Server::HandlerResponse::Handled
                   ? res.status
                   : 100;
      });
  server.set_error_handler(httplib::Server::HandlerWithResponse(web::explain_connection_error));
  server.set_exception_handler(
      [&state](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        web::answer_exception(state, req, res, error);
      });
  // Bodies are counted by the connection against the request's own limit;
  // this only bounds what httplib would read of a body with a length.
  server.set_payload_max_length(kWebhookBodyCeiling + web::kInboxFramingAllowance);
  // What httplib announces in Keep-Alive headers; the connection enforces it.
  server.set_keep_alive_max_count(o.limits.max_requests_per_connection);
  server.set_keep_alive_timeout(std::max<time_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(o.limits.idle_timeout).count()));
  no_port_sharing(server);
  // Every answered request, for GET /metrics.
  server.set_logger([&state](const httplib::Request& req, const httplib::Response& res) {
    state.requests.record(req, res.status);
  });
  web::add_asset_routes(server);
  web::RouteTable api_table(server);
  web::add_api_routes(api_table, impl_->state);
  web::add_inbox_routes(api_table, impl_->state);
  web::add_page_routes(server, impl_->state);
  web::add_metrics_routes(server, impl_->state);

  impl_->port = bind_or_throw(server, o.host, o.port);
  widen_backlog();
  if (!o.metrics_address.empty()) impl_->start_metrics_listener();
  listen_in(server, impl_->thread);
}

int WebServer::port() const { return impl_->port; }
int WebServer::metrics_port() const { return impl_->metrics_port; }

std::string WebServer::address() const {
  return std::string(impl_->state.tls() ? "https" : "http") + "://" + impl_->state.options.host +
         ":" + std::to_string(impl_->port) + "/";
}

void WebServer::stop() {
  // Wakes connections waiting for a client first, so that stopping does not
  // wait for their timeouts.
  if (impl_->guard) impl_->guard->stop();
  if (impl_->server) impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->metrics_guard) impl_->metrics_guard->stop();
  if (impl_->metrics_server) impl_->metrics_server->stop();
  if (impl_->metrics_thread.joinable()) impl_->metrics_thread.join();
}

DispatcherServiceFactory web_server_factory(WebServerOptions options) {
  return [options](Dispatcher& dispatcher, const DispatcherTicket& ticket) {
    WebServerOptions o = options;
    o.port = ticket.web_server_port;
    return std::make_unique<WebServer>(dispatcher, std::move(o));
  };
}

DispatcherServiceFactory default_web_server_factory() { return web_server_factory({}); }

}  // namespace databus
