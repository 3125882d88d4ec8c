// The puller conformance suite (puller_conformance.h) for the HTTP puller,
// against a cpp-httplib server on a free loopback port: GET /items answers
// the items not yet retired as a JSON array, POST /done retires the ids it
// is given (the puller's notify_url).
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "components/http/http_components.h"
#include "components/puller_conformance.h"
#include "web/http.h"

namespace databus::testing_support {
namespace {

class HttpSource : public PullerSource {
 public:
  HttpSource() {
    server_.Get("/items", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      nlohmann::json items = nlohmann::json::array();
      for (int i = 1; i <= count_; ++i) {
        if (!retired_.contains(external_id(i))) items.push_back({{"id", external_id(i)}, {"n", i}});
      }
      res.set_content(items.dump(), "application/json");
    });
    server_.Post("/done", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      const nlohmann::json told = nlohmann::json::parse(req.body);
      for (const auto& id : told.at("external_ids")) {
        retired_.insert(id.get<std::string>());
      }
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Bounded wait until the accept loop runs (stop() needs it).
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~HttpSource() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void fill(int n) override {
    std::lock_guard lock(mutex_);
    count_ = n;
  }
  std::string external_id(int i) const override { return "order-" + std::to_string(i); }
  std::unique_ptr<Puller> make_puller() override {
    const std::string base = "http://127.0.0.1:" + std::to_string(port_);
    return make_builtin_puller(kHttpPullerModule,
                               {{"url", base + "/items"}, {"notify_url", base + "/done"}});
  }
  // One response holds every item: nothing to withdraw once it is read.

 private:
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  int count_ = 0;
  std::set<std::string> retired_;
};

INSTANTIATE_TEST_SUITE_P(Http, PullerConformanceTest,
                         testing::Values(PullerKind{"http",
                                                    [] { return std::make_unique<HttpSource>(); }}),
                         PullerKind::name_of);

}  // namespace
}  // namespace databus::testing_support
