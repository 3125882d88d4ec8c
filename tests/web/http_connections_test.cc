// Slow and hostile connections (docs/security.md, "Hostile connections"):
// idle and slow clients do not hold up others, timeouts close them, bodies
// are counted as they arrive, parallel wrong passwords are throttled as
// serial ones, keep-alive requests do not wait for delayed ACKs, and a 500
// tells the client nothing but a request id.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "test_paths.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using SteadyClock = std::chrono::steady_clock;

// A raw TCP connection to the server under test.
class RawSocket {
 public:
  explicit RawSocket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(RawSocket&& other) noexcept : fd_(other.fd_), connected_(other.connected_) {
    other.fd_ = -1;
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  // False once the server closed or reset the connection.
  bool send(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Everything the server sends until it closes the connection (or 20 s).
  std::string read_to_end() {
    std::string all;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return all;
      all.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

// Sockets for 250 hostile connections and the server's ends of them.
void allow_many_files() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 4096) {
    limit.rlim_cur = std::min<rlim_t>(4096, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// The process's peak resident memory since the last reset_peak_memory(), in
// bytes (VmHWM of /proc/self/status).
std::size_t peak_memory() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

bool reset_peak_memory() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

class HostileConnectionTest : public WebTest {
 protected:
  // Replaces the server with one using `limits` and `throttle`.
  void restart(const WebConnectionLimits& limits,
               const LoginThrottlePolicy& throttle = quiet_throttle()) {
    server_.reset();
    WebOptions options;
    options.port = 0;
    options.limits = limits;
    options.throttle = throttle;
    options.error_log = [this](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_ += line + "\n";
    };
    server_ = std::make_unique<WebServer>(*dispatcher_, options);
    server_->start();
  }
  static LoginThrottlePolicy quiet_throttle() {
    LoginThrottlePolicy p;
    p.slow_after = 1000;
    p.lock_after = 1000;
    return p;
  }
  std::string log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }
  // Milliseconds a GET of `path` takes; -1 when it fails or is not 200.
  static long long timed_get(Browser& b, const std::string& path) {
    const auto start = SteadyClock::now();
    auto res = b.get(path);
    if (!res || res->status != 200) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start)
        .count();
  }

  std::mutex log_mutex_;
  std::string log_;
};

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

TEST_F(HostileConnectionTest, AnonymousChunkedBodiesStopAtTheSmallLimit) {
  const std::string piece(16 * 1024, 'x');
  // 64 KiB at most without a session; the rest is never read.
  for (const std::string& path : {std::string("/api/v1/login"), std::string("/login"),
                                  std::string("/api/v1/inbox/demo/") + kPassenger1}) {
    RawSocket s(server_->port());
    std::string request = "POST " + path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 8; ++i) request += chunk(piece);  // 128 KiB
    ASSERT_TRUE(s.send(request)) << path;
    const std::string answer = s.read_to_end();
    EXPECT_EQ(status_line(answer), "HTTP/1.1 413 Payload Too Large") << path;
    EXPECT_THAT(answer, HasSubstr("larger than 65536 bytes")) << path;
  }
  // The same with a session is read (and answered by its route).
  Browser user = logged_in("demo", "demo", "demo");
  RawSocket s(server_->port());
  std::string request =
      "POST /api/v1/clients/demo/customizing/__databus__ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Cookie: " +
      user.cookie + "\r\nX-CSRF-Token: " + user.csrf +
      "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n";
  for (int i = 0; i < 8; ++i) request += chunk(piece);
  request += "0\r\n\r\n";
  ASSERT_TRUE(s.send(request));
  const std::string answer = status_line(s.read_to_end());
  EXPECT_THAT(answer, Not(HasSubstr("413")));
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 4"));  // Not JSON: the route says so.
  // A length over the limit is refused before the body is sent.
  RawSocket announced(server_->port());
  ASSERT_TRUE(
      announced.send("POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\nContent-Length: 65537\r\n\r\n"));
  EXPECT_EQ(status_line(announced.read_to_end()), "HTTP/1.1 413 Payload Too Large");
  // A client waiting for "100 Continue" is refused instead.
  RawSocket waiting(server_->port());
  ASSERT_TRUE(
      waiting.send("POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/json\r\nContent-Length: 1048576\r\n"
                   "Expect: 100-continue\r\n\r\n"));
  EXPECT_EQ(status_line(waiting.read_to_end()), "HTTP/1.1 413 Payload Too Large");
}

TEST_F(HostileConnectionTest, ParallelOversizedUploadsKeepMemoryLow) {
  if (!reset_peak_memory()) GTEST_SKIP() << "/proc/self/clear_refs cannot be written";
  const std::string piece(64 * 1024, 'x');
  const std::string framed = chunk(piece);
  std::vector<std::thread> uploads;
  for (int i = 0; i < 16; ++i) {
    uploads.emplace_back([&, i] {
      RawSocket s(server_->port());
      const std::string path =
          i % 2 == 0 ? "/api/v1/login" : std::string("/api/v1/inbox/demo/") + kPassenger1;
      if (!s.send("POST " + path +
                  " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")) {
        return;
      }
      // Up to 100 MiB each, until the server stops listening (its 413 may
      // then be lost in the reset).
      for (int n = 0; n < 1600 && s.send(framed); ++n) {
      }
      s.read_to_end();
    });
  }
  for (std::thread& t : uploads) t.join();
  const std::size_t peak = peak_memory();
  EXPECT_GT(peak, 0u);
  EXPECT_LT(peak, 200u * 1024 * 1024) << "peak resident memory " << peak;
  Browser b = browser();
  EXPECT_EQ(b.status_of_get("/healthz"), 200);
}

// Counts the answers to 50 wrong passwords for demo/demo, sent one after
// another or all at once.
std::map<int, int> wrong_passwords(int port, bool parallel) {
  std::mutex mutex;
  std::map<int, int> statuses;
  const auto attempt = [&] {
    Browser b(port);
    const int status = b.login("demo", "demo", "wrong");
    std::lock_guard lock(mutex);
    ++statuses[status];
  };
  if (!parallel) {
    for (int i = 0; i < 50; ++i) attempt();
    return statuses;
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) threads.emplace_back(attempt);
  for (std::thread& t : threads) t.join();
  return statuses;
}

TEST_F(HostileConnectionTest, ParallelWrongPasswordsAreThrottledAsSerialOnes) {
  LoginThrottlePolicy policy;
  policy.slow_after = 3;
  policy.base_delay = std::chrono::seconds(600);  // Nothing waits it out during the test.
  policy.max_delay = std::chrono::seconds(600);
  policy.lock_after = 1000;
  restart(WebConnectionLimits{}, policy);
  const std::map<int, int> serial = wrong_passwords(server_->port(), false);
  restart(WebConnectionLimits{}, policy);  // A fresh throttle.
  const std::map<int, int> parallel = wrong_passwords(server_->port(), true);
  EXPECT_EQ(serial, (std::map<int, int>{{401, 3}, {429, 47}}));
  EXPECT_EQ(parallel, serial);
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

TEST_F(HostileConnectionTest, InternalErrorsShowOnlyARequestId) {
  restart(WebConnectionLimits{});
  // An attachment name longer than any file system allows: storing the
  // webhook's passenger fails inside the JSON DB, naming its path.
  ASSERT_EQ(setenv("DATABUS_TEST_INBOX_TOKEN", "tok-500", 1), 0);
  dispatcher_->database().write_client_config_text(
      "hooks", json{{"log_life_span", 1},
                    {"users", json::array()},
                    {"passengers",
                     {{{"name", kPassenger1},
                       {"pullers",
                        {{{"module", "databus.puller.webhook"},
                          {"token", "${env:DATABUS_TEST_INBOX_TOKEN}"},
                          {"source_system", "shop"}}}},
                       {"processors", json::array()},
                       {"pushers", json::array()},
                       {"sync_frequency", 600}}}}}
                   .dump(2));
  httplib::Client client("127.0.0.1", server_->port());
  const std::string name = std::string(600, 'n') + ".txt";
  auto res = client.Post(std::string("/api/v1/inbox/hooks/") + kPassenger1,
                         {{"Authorization", "Bearer tok-500"}},
                         httplib::MultipartFormDataItems{{"file", "content", name, "text/plain"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 500) << res->body;
  const std::string id = res->get_header_value("X-Request-Id");
  ASSERT_EQ(id.size(), 16u);
  EXPECT_EQ(json::parse(res->body)["error"],
            "internal error (request id " + id + "; the details are in the server's log)");
  EXPECT_THAT(res->body, Not(HasSubstr(dir_.string())));
  EXPECT_FALSE(res->has_header("EXCEPTION_WHAT"));
  EXPECT_THAT(log(), HasSubstr("request " + id + " POST /api/v1/inbox/hooks/"));
  EXPECT_THAT(log(), HasSubstr(dir_.string()));  // The detail is in the log.

  // A 400 names the problem in Databus's words, not the JSON parser's.
  auto bad = client.Post("/api/v1/login", "{\"client\": x", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"],
            "the request body is not valid JSON (error at byte 12)");
}

// TLS connections go through the same Connection: pipelined requests are
// answered in turn, and a client resetting mid-answer ends only its own.
TEST_F(HostileConnectionTest, TlsClientsThatHangUpDoNotEndTheServer) {
  server_.reset();
  WebOptions options;
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
