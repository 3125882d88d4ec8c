#include "databus/web_server.h"

#include <chrono>
#include <thread>

#include "components/webhook/webhook_puller.h"
#include "databus/error.h"
#include "web/credentials.h"
#include "web/host_check.h"
#include "web/http.h"
#include "web/inbox.h"
#include "web/routes.h"

namespace databus {

namespace {

// The largest request body of every route but the webhook inbox.
constexpr std::uint64_t kBodyLimit = 8 * 1024 * 1024;

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
  if (impl_->state.tls()) {
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!ssl->is_valid()) {
      throw ConfigError("web server", "tls_cert",
                        "cannot load the TLS certificate " + o.tls_cert.string() + " and key " +
                            o.tls_key.string());
    }
    impl_->server = std::move(ssl);
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *impl_->server;
  set_security_headers(server, impl_->state.tls());
  // Before any route: refuse requests for other host names (DNS rebinding).
  server.set_pre_routing_handler([&o](const httplib::Request& req, httplib::Response& res) {
    if (!web::host_allowed(req.get_header_value("Host"), o.host, o.allowed_hosts)) {
      res.status = 421;
      res.set_content("421 Misdirected Request: this server does not answer for host '" +
                          req.get_header_value("Host") + "' (see --allowed-host in docs/api.md)\n",
                      "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    // Bodies are read before routing ends: refuse large ones before reading,
    // except on the webhook inbox, whose pullers set their own limit.
    if (!req.path.starts_with("/api/v1/inbox/") &&
        req.get_header_value<std::uint64_t>("Content-Length") > kBodyLimit) {
      res.status = 413;
      res.set_content("413 Payload Too Large\n", "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Chunked bodies have no length to check first; they stop here.
  server.set_payload_max_length(kWebhookBodyCeiling);
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind
  // a busy port and share its requests; a busy port must be an error.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
  });
  web::add_asset_routes(server);
  web::add_api_routes(server, impl_->state);
  web::add_inbox_routes(server, impl_->state);
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
