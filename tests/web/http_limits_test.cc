// What one request may cost (docs/security.md, "Hostile connections" and
// "Errors and redirects"): bodies are counted as they arrive with a small
// limit before authentication, parallel wrong passwords are throttled as
// serial ones, and a 500 tells the client nothing but a request id.

#include <gmock/gmock.h>

#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>
#include "databus/database_wrapper.h"
#include "databus/dispatcher.h"
#include "storage/memory/memory_database.h"
#include "web/hostile_client.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using SteadyClock = std::chrono::steady_clock;

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
#if defined(__SANITIZE_ADDRESS__)
  // ASan's quarantine and shadow memory are counted in the resident set.
  GTEST_SKIP() << "measures resident memory, which ASan inflates";
#endif
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

// An engine whose queue queries fail with an error that is not a
// StorageError (a library's exception naming a path of the host).
class LeakyDatabase : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  std::size_t count_entries(const std::string&, const EntryQuery&) override {
    throw std::runtime_error("cannot map /srv/secret/databus/data/clients/demo: bad alloc");
  }
};

TEST_F(HostileConnectionTest, InternalErrorsShowOnlyARequestId) {
  // A dispatcher of its own, on an engine whose failure is an internal one.
  server_.reset();
  dispatcher_.reset();
  DispatcherTicket ticket;
  ticket.run_web_server = false;
  ticket.workers = 1;
  ticket.data_dir = dir_ / "leaky";
  ticket.database_factory = [](const std::string&, const DatabaseEnv&) {
    return std::unique_ptr<Database>(
        std::make_unique<LeakyDatabase>(std::make_unique<MemoryDatabase>()));
  };
  dispatcher_ = std::make_unique<Dispatcher>(std::move(ticket));
  restart(WebConnectionLimits{});
  Browser b = logged_in("demo", "demo", "demo");
  auto res = b.get(std::string("/api/v1/clients/demo/queue?passenger=") + kPassenger1);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 500) << res->body;
  const std::string id = res->get_header_value("X-Request-Id");
  ASSERT_EQ(id.size(), 16u);
  EXPECT_EQ(json::parse(res->body)["error"],
            "internal error (request id " + id + "; the details are in the server's log)");
  EXPECT_THAT(res->body, Not(HasSubstr("/srv/secret")));
  EXPECT_FALSE(res->has_header("EXCEPTION_WHAT"));
  EXPECT_THAT(log(), HasSubstr("request " + id + " GET /api/v1/clients/demo/queue"));
  EXPECT_THAT(log(), HasSubstr("/srv/secret"));  // The detail is in the log.

  httplib::Client client("127.0.0.1", server_->port());
  // A 400 names the problem in Databus's words, not the JSON parser's.
  auto bad = client.Post("/api/v1/login", "{\"client\": x", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"],
            "the request body is not valid JSON (error at byte 12)");
}

}  // namespace
}  // namespace databus::web::testing
