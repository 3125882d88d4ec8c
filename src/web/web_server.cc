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
};

WebServer::WebServer(Dispatcher& dispatcher, WebServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}

WebServer::~WebServer() { stop(); }

void WebServer::start() {
  web::init_crypto();
  const WebServerOptions& o = impl_->state.options;
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
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind
  // a busy port and share its requests; a busy port must be an error.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  web::add_asset_routes(server);
  web::RouteTable api_table(server);
  web::add_api_routes(api_table, impl_->state);
  web::add_inbox_routes(api_table, impl_->state);
  web::add_page_routes(server, impl_->state);

  if (o.port == 0) {
    impl_->port = server.bind_to_any_port(o.host);
  } else {
    impl_->port = server.bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (impl_->port <= 0) {
    throw Error("web server: cannot listen on " + o.host + ":" + std::to_string(o.port) +
                " (port in use or address not available)");
  }
  widen_backlog();
  impl_->thread = std::thread([&server] { server.listen_after_bind(); });
  // httplib's stop() does nothing until the listening loop runs: wait for it,
  // so that a stop() right after start() cannot be lost.
  for (int i = 0; i < 5000 && !server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

int WebServer::port() const { return impl_->port; }

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
