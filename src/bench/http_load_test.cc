// The load generator against a small server of the test's own: every
// request sent once, each answer kept by its sequence, connections kept
// alive. No timing assertions.
#include "bench/http_load.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "web/http.h"

namespace databus::bench {
namespace {

TEST(HttpLoadTest, QuantilesByNearestRank) {
  std::vector<double> values;
  for (int i = 100; i >= 1; --i) values.push_back(i);
  EXPECT_EQ(quantile_of(values, 0.5), 50);
  EXPECT_EQ(quantile_of(values, 0.99), 99);
  EXPECT_EQ(quantile_of(values, 1.0), 100);
  std::vector<double> none;
  EXPECT_EQ(quantile_of(none, 0.5), 0);
}

TEST(HttpLoadTest, SendsEachRequestOnceOnKeptAliveConnections) {
  httplib::Server server;
  std::mutex mutex;
  std::set<std::string> bodies;
  std::set<int> client_ports;
  server.Post("/items", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    const bool fresh = bodies.insert(req.body).second;
    client_ports.insert(req.remote_port);
    res.status = fresh && req.get_header_value("X-Seq") == req.body ? 202 : 409;
  });
  server.set_keep_alive_max_count(1000);  // httplib's default closes after 5.
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  LoadOptions options;
  options.port = port;
  options.senders = 3;
  options.requests = 90;
  options.request = [](std::size_t sequence) {
    const std::string seq = std::to_string(sequence);
    return LoadRequest{"/items", {{"X-Seq", seq}}, seq, "text/plain"};
  };
  const LoadResult result = run_load(options);
  server.stop();
  serving.join();

  ASSERT_EQ(result.requests(), 90u);
  for (std::size_t i = 0; i < result.outcomes.size(); ++i) {
    EXPECT_EQ(result.outcomes[i].first, i);
    EXPECT_EQ(result.outcomes[i].second, 202) << "request " << i;
  }
  EXPECT_EQ(result.count(202), 90u);
  EXPECT_EQ(bodies.size(), 90u);
  EXPECT_LE(client_ports.size(), 3u);  // One connection per sender.
  EXPECT_LE(result.p50_ms, result.p99_ms);
  EXPECT_EQ(result.senders, 3u);
}

TEST(HttpLoadTest, ANoAnswerIsRecordedNotThrown) {
  LoadOptions options;
  options.port = 1;  // Nothing listens there.
  options.senders = 2;
  options.requests = 4;
  options.request = [](std::size_t) { return LoadRequest{"/healthz", {}, "", ""}; };
  const LoadResult result = run_load(options);
  EXPECT_EQ(result.requests(), 4u);
  EXPECT_EQ(result.count(-1), 4u);
}

TEST(HttpLoadTest, RejectsBadOptions) {
  LoadOptions options;
  options.requests = 1;
  EXPECT_THROW(run_load(options), std::invalid_argument);  // No request maker.
  options.request = [](std::size_t) { return LoadRequest{"/", {}, "", ""}; };
  options.senders = 0;
  EXPECT_THROW(run_load(options), std::invalid_argument);
  options.senders = 1;
  options.requests = 0;
  options.duration = std::chrono::milliseconds(0);
  EXPECT_THROW(run_load(options), std::invalid_argument);
}

}  // namespace
}  // namespace databus::bench
