// Slow and idle connections (docs/security.md, "Hostile connections"): they
// do not hold up others, timeouts close them, stopping the server wakes
// them, keep-alive requests do not wait for delayed ACKs, TLS goes the same
// way.

#include <sys/resource.h>

#include <gmock/gmock.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "test_paths.h"
#include "web/hostile_client.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using SteadyClock = std::chrono::steady_clock;

// Sockets for 250 hostile connections and the server's ends of them.
void allow_many_files() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 4096) {
    limit.rlim_cur = std::min<rlim_t>(4096, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

TEST_F(HostileConnectionTest, IdleAndSlowHeaderConnectionsDoNotDelayOthers) {
  allow_many_files();
  Browser user = logged_in("demo", "demo", "demo");
  Browser anyone = browser();
  std::vector<RawSocket> hostile;
  for (int i = 0; i < 200; ++i) {
    hostile.emplace_back(server_->port());  // Connects and says nothing.
    ASSERT_TRUE(hostile.back().connected()) << i;
  }
  for (int i = 0; i < 50; ++i) {
    hostile.emplace_back(server_->port());
    ASSERT_TRUE(hostile.back().send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  }
  const long long health = timed_get(anyone, "/healthz");
  const long long page = timed_get(user, "/c/demo/passengers");
  EXPECT_GE(health, 0);
  EXPECT_LT(health, 1000);
  EXPECT_GE(page, 0);
  EXPECT_LT(page, 1000);
  // The slow clients were still being served: one finishing its headers
  // gets its answer.
  ASSERT_TRUE(hostile.back().send("1\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(status_line(hostile.back().read_to_end()), "HTTP/1.1 200 OK");
  // Stopping wakes the waiting connections instead of waiting out their
  // timeouts (5 s idle, 10 s headers).
  const auto stopping = SteadyClock::now();
  server_.reset();
  EXPECT_LT(SteadyClock::now() - stopping, std::chrono::seconds(3));
}

TEST_F(HostileConnectionTest, SlowAndIdleClientsAreClosed) {
  WebConnectionLimits limits;
  limits.idle_timeout = std::chrono::milliseconds(300);
  limits.header_timeout = std::chrono::milliseconds(600);
  limits.body_timeout = std::chrono::milliseconds(600);
  restart(limits);
  const auto closed_within = [](RawSocket& s, std::chrono::seconds bound) {
    const auto start = SteadyClock::now();
    const std::string answer = s.read_to_end();
    return std::make_pair(SteadyClock::now() - start < bound, answer);
  };

  RawSocket idle(server_->port());
  const auto [idle_closed, idle_answer] = closed_within(idle, std::chrono::seconds(5));
  EXPECT_TRUE(idle_closed);
  EXPECT_EQ(idle_answer, "");

  // One header byte every 100 ms: each read is quick, the headers never end.
  RawSocket slow(server_->port());
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    while (!stop && slow.send("a")) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  });
  const auto [slow_closed, slow_answer] = closed_within(slow, std::chrono::seconds(5));
  stop = true;
  trickle.join();
  EXPECT_TRUE(slow_closed);
  EXPECT_THAT(slow_answer, Not(HasSubstr("200 OK")));

  // A body announced but not sent.
  RawSocket body(server_->port());
  ASSERT_TRUE(body.send(
      "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n{\"client\":"));
  const auto [body_closed, body_answer] = closed_within(body, std::chrono::seconds(5));
  EXPECT_TRUE(body_closed);
  EXPECT_EQ(status_line(body_answer), "HTTP/1.1 408 Request Timeout");

  // A client that keeps to the timeouts is served.
  Browser b = browser();
  EXPECT_EQ(b.status_of_get("/healthz"), 200);
}

TEST_F(HostileConnectionTest, ThousandKeepAliveRequestsTakeUnderTwoSeconds) {
  httplib::Client client("127.0.0.1", server_->port());
  client.set_keep_alive(true);
  const auto start = SteadyClock::now();
  int ok = 0;
  for (int i = 0; i < 1000; ++i) {
    auto res = client.Get("/healthz");
    ok += res && res->status == 200;
  }
  const auto took = SteadyClock::now() - start;
  EXPECT_EQ(ok, 1000);
  EXPECT_LT(took, std::chrono::seconds(2))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

// TLS connections go through the same Connection: pipelined requests are
// answered in turn, and a client resetting mid-answer ends only its own.
TEST_F(HostileConnectionTest, TlsClientsThatHangUpDoNotEndTheServer) {
  server_.reset();
  WebOptions options;
  options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
  options.port = 0;
  options.tls_cert = DATABUS_SOURCE_DIR "/tests/web/fixtures/test_cert.pem";
  options.tls_key = DATABUS_SOURCE_DIR "/tests/web/fixtures/test_key.pem";
  server_ = std::make_unique<WebServer>(*dispatcher_, options);
  server_->start();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(ctx, nullptr);
  std::string pipelined;
  for (int i = 0; i < 200; ++i) pipelined += "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (int round = 0; round < 20; ++round) {
    RawSocket s(server_->port());
    ASSERT_TRUE(s.connected());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, s.fd());
    ASSERT_EQ(SSL_connect(ssl), 1);
    ASSERT_GT(SSL_write(ssl, pipelined.data(), static_cast<int>(pipelined.size())), 0);
    char first[16];
    ASSERT_EQ(SSL_read(ssl, first, sizeof first), static_cast<int>(sizeof first));
    EXPECT_EQ(std::string(first, sizeof first), "HTTP/1.1 200 OK\r");
    // Gone with a reset, while the server still writes answers.
    linger reset{1, 0};
    ::setsockopt(s.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    SSL_free(ssl);
  }
  SSL_CTX_free(ctx);
  // Still serving.
  httplib::SSLClient client("127.0.0.1", server_->port());
  client.enable_server_certificate_verification(false);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace databus::web::testing
