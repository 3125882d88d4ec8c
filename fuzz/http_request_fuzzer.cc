// The HTTP request path of the web server: the input is the bytes a client
// sends on one connection (up to kMaxRequests requests, as with keep-alive),
// read by cpp-httplib (request line, headers, cookies, query, url-encoded
// and multipart forms, chunked bodies) and answered by every route the web
// server has - the REST API with its JSON bodies, the pages with their
// forms, the login, the webhook inbox, the assets.
//
// httplib's Server::process_request is protected: a subclass calls it with a
// Stream over the input, so no socket and no thread is involved and an
// input is reproducible on its own. Every input gets a fresh dispatcher on
// the memory engine with fixed users and tokens (the dictionary
// http_request.dict holds them), so that the fuzzer can reach the handlers
// behind authentication:
//   client demo   the demo configuration; administrator demo (password
//                 "demo", token "fuzz-admin-token"), operator viewer
//                 ("viewer-pass", "fuzz-viewer-token");
//   client hooks  no users; a webhook puller with token "fuzz-inbox-token";
//   client root   one administrator whose password and token are random:
//                 root-only routes (export, system, clients) answer 401.
// The registry holds the built-ins that neither touch the host nor the
// network (no directory, exec, HTTP or mail connectors), since a fuzzed
// customizing save can configure them and a peek would then run them.
//
// Not covered here: the guard WebServer::start() installs before routing
// (Host check, body size limit) and TLS; host_check has unit tests.
//
// Contracts checked: no sanitizer report, no exception escaping a route
// handler, and no 500 answer - whatever a client sends is its own fault
// (4xx), never an internal error. (The dispatcher is not started, so
// /readyz answers 503.)
#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "components/demo/demo_components.h"
#include "components/filter/filter_attachments.h"
#include "components/generic/generic_passenger.h"
#include "components/unzip/unzip.h"
#include "components/webhook/webhook_puller.h"
#include "databus/dispatcher.h"
#include "driver/primal_driver.h"
#include "fuzz_check.h"
#include "queue/primal_queue.h"
#include "storage/memory/memory_database.h"
#include "web/credentials.h"
#include "web/http.h"
#include "web/route_table.h"
#include "web/routes.h"
#include "web/web_state.h"

namespace databus::fuzz {
namespace {

constexpr int kMaxRequests = 8;

// The bytes a client sent on one connection; what the server writes back is
// dropped.
class InputStream : public httplib::Stream {
 public:
  explicit InputStream(std::string_view input) : input_(input) {}

  bool at_end() const { return position_ >= input_.size(); }

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const std::size_t n = std::min(size, input_.size() - position_);
    std::memcpy(ptr, input_.data() + position_, n);
    position_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char*, size_t size) override { return static_cast<ssize_t>(size); }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 5000;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  std::string_view input_;
  std::size_t position_ = 0;
};

// An httplib server that serves a byte string instead of a socket.
class InputServer : public httplib::Server {
 public:
  void serve(std::string_view input) {
    InputStream stream(input);
    for (int i = 0; i < kMaxRequests && !stream.at_end(); ++i) {
      bool closed = false;
      if (!process_request(stream, false, closed, [](httplib::Request&) {}) || closed) return;
    }
  }
};

std::shared_ptr<Registry> harmless_registry() {
  auto registry = std::make_shared<Registry>();
  registry->add_database(memory_database_spec(), open_memory_database);
  registry->add_queue(primal_queue_spec(), make_primal_queue);
  registry->add_driver(primal_driver_spec(), make_primal_driver);
  register_generic_passenger(*registry);
  register_demo_components(*registry);
  register_filter_components(*registry);
  register_unzip_components(*registry);
  register_webhook_components(*registry);
  return registry;
}

// The dispatcher of one input, with the clients described on top.
std::unique_ptr<Dispatcher> fresh_dispatcher(const std::shared_ptr<Registry>& registry,
                                             const std::filesystem::path& data_dir) {
  DispatcherTicket ticket;
  ticket.registry = registry;
  ticket.database_module = "memory";
  ticket.data_dir = data_dir;
  ticket.run_web_server = false;
  ticket.workers = 1;
  auto dispatcher = std::make_unique<Dispatcher>(std::move(ticket));
  Database& db = dispatcher->database();

  ClientConfig demo = db.load_client("demo");
  demo.users = {User{"demo", "demo", "fuzz-admin-token", Role::administrator},
                User{"viewer", "viewer-pass", "fuzz-viewer-token", Role::operator_}};
  db.write_client_config_text("demo", demo.to_json().dump(2));

  ClientConfig root = db.load_client("root");
  root.users = {User{"root", web::random_hex(16), web::random_hex(16), Role::administrator}};
  db.write_client_config_text("root", root.to_json().dump(2));

  ClientConfig hooks;
  hooks.id = "hooks";
  ClientPassenger inbox;
  inbox.name = "databus.passenger.demo.demo_passenger_1";
  inbox.pullers = {ComponentRef{kWebhookPullerModule,
                                {{"token", "fuzz-inbox-token"}, {"max_body_bytes", 65536}}}};
  inbox.pushers = {ComponentRef{"databus.pusher.demo.demo_pusher_1"}};
  hooks.passengers = {inbox};
  db.write_client_config_text("hooks", hooks.to_json().dump(2));
  return dispatcher;
}

// What lives as long as the fuzzing process: the server with its routes,
// which refer to `state`; each input replaces the dispatcher and the state
// in place.
struct Harness {
  Harness() : registry(harmless_registry()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "databus_fuzz_XXXXXX").string();
    check(mkdtemp(pattern.data()) != nullptr, "cannot make a temporary folder");
    data_dir = pattern;
    reset();
    web::add_asset_routes(server);
    web::RouteTable routes(server);
    web::add_api_routes(routes, *state);
    web::add_inbox_routes(routes, *state);
    web::add_page_routes(server, *state);
    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response&, std::exception_ptr error) {
          std::string what = "unknown exception";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          check(false,
                "an exception escaped the handler of " + req.method + " " + req.path + ": " + what);
        });
    server.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      // 500 is an internal error; 503 (/readyz of a dispatcher that is not
      // running) is an answer.
      check(res.status != 500, "answered 500 to " + req.method + " " + req.path + ": " + res.body);
    });
  }
  ~Harness() {
    state.reset();
    dispatcher.reset();
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }

  void reset() {
    state.reset();
    dispatcher.reset();
    dispatcher = fresh_dispatcher(registry, data_dir);
    web::WebOptions options;
    // Failed logins of earlier inputs must not throttle this one's.
    options.throttle.slow_after = 1 << 30;
    options.throttle.lock_after = 1 << 30;
    state.emplace(*dispatcher, options);
  }

  std::shared_ptr<Registry> registry;
  std::filesystem::path data_dir;
  std::unique_ptr<Dispatcher> dispatcher;
  std::optional<web::WebState> state;
  InputServer server;
};

}  // namespace
}  // namespace databus::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static databus::fuzz::Harness harness;
  harness.reset();
  harness.server.serve(databus::fuzz::as_text(data, size));
  return 0;
}
