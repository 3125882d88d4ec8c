// GET /metrics (docs/operations.md "Monitoring"): who may read it, that every
// scrape (also while drives run) passes `promtool check metrics`, that the
// counters match what the drives' logs say they did, that a user with the
// metrics right sees only its client, and the unauthenticated
// metrics_address listener.

#include <atomic>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include <gmock/gmock.h>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The sum of the samples of `series` whose labels include every one of
// `labels` (`name="value"` texts).
double sum_of(const std::string& text, const std::string& series,
              const std::vector<std::string>& labels = {}) {
  double sum = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t name_end = line.find_first_of("{ ");
    if (line.substr(0, name_end) != series) continue;
    bool all = true;
    for (const std::string& l : labels) all = all && line.find(l) != std::string::npos;
    if (all) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

// What `promtool check metrics` says of `text`: "" when it finds nothing.
std::string promtool_findings(const std::string& text, const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "scrape.txt";
  std::ofstream(file) << text;
  const std::string command = "promtool check metrics < '" + file.string() + "' > '" +
                              (dir / "promtool.out").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream out(dir / "promtool.out");
  const std::string said((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  if (status == 0 && said.empty()) return "";
  return "exit " + std::to_string(status) + ": " + said;
}

// The counts of "Drive done: N pulled, N seated, N processor run(s), N
// push(es), N failure(s)" in a drive log.
std::array<double, 5> drive_done_counts(const Log& log) {
  const std::regex done(
      R"(Drive done: (\d+) pulled, (\d+) seated, (\d+) processor run\(s\), (\d+) push\(es\), (\d+) failure\(s\))");
  for (const LogEntry& e : log.entries()) {
    std::smatch m;
    if (std::regex_search(e.message, m, done)) {
      return {std::stod(m[1]), std::stod(m[2]), std::stod(m[3]), std::stod(m[4]), std::stod(m[5])};
    }
  }
  ADD_FAILURE() << "the drive log has no Drive done line";
  return {};
}

class MetricsTest : public WebTest {
 protected:
  void SetUp() override {
    WebTest::SetUp();
    if (HasFatalFailure()) return;
    Database& db = dispatcher_->database();
    ClientConfig root = db.load_client("root");
    root.users.back().token = "rootview-token";  // An operator of root.
    db.write_client_config_text("root", root.to_json().dump(2));
    ClientConfig demo = db.load_client("demo");
    demo.users.push_back(User{"prometheus", "prometheus-pass", "scrape-token", Role::operator_});
    demo.users.back().rights = {"metrics"};
    db.write_client_config_text("demo", demo.to_json().dump(2));
  }

  httplib::Result scrape(const std::string& token) {
    Browser b = browser();
    b.bearer = token;
    return b.get("/metrics");
  }
};

TEST_F(MetricsTest, NeedsTheBearerTokenOfRootOrOfAUserWithTheMetricsRight) {
  EXPECT_EQ(scrape("")->status, 401);
  EXPECT_EQ(scrape("no-such-token")->status, 401);
  EXPECT_EQ(scrape("demo-token")->status, 403);  // demo's administrator: no metrics right.
  // A session is no bearer token.
  Browser session = logged_in("root", "root", "root");
  EXPECT_EQ(session.status_of_get("/metrics"), 401);
  auto root = scrape("rootview-token");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_THAT(root->get_header_value("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_EQ(scrape("scrape-token")->status, 200);
}

TEST_F(MetricsTest, ScrapesDuringDrivesPassPromtoolAndTheCountersMatchTheDrives) {
  std::atomic<bool> driving{true};
  std::vector<std::string> during;
  std::thread scraper([&] {
    while (driving.load() || during.empty()) {
      auto res = scrape("rootview-token");
      if (res && res->status == 200) during.push_back(res->body);
    }
  });
  std::array<double, 5> done{};
  for (int i = 0; i < 3; ++i) {
    const Log log = dispatcher_->drive_now("demo", kPassenger1);
    const std::array<double, 5> counts = drive_done_counts(log);
    for (std::size_t k = 0; k < done.size(); ++k) done[k] += counts[k];
  }
  driving = false;
  scraper.join();
  ASSERT_FALSE(during.empty());
  for (const std::string& text : {during.front(), during.back()}) {
    EXPECT_EQ(promtool_findings(text, dir_), "");
  }

  auto res = scrape("rootview-token");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string& text = res->body;
  EXPECT_EQ(promtool_findings(text, dir_), "") << text;
  const std::string demo1 = std::string("passenger=\"") + kPassenger1 + "\"";
  ASSERT_GT(done[0], 0) << "the demo drives pulled nothing";
  EXPECT_EQ(sum_of(text, "databus_passengers_pulled_total", {demo1}), done[0]);
  EXPECT_EQ(sum_of(text, "databus_passengers_seated_total", {demo1}), done[1]);
  EXPECT_EQ(sum_of(text, "databus_passengers_processed_total", {demo1}), done[2]);
  EXPECT_EQ(sum_of(text, "databus_passengers_pushed_total", {demo1}), done[3]);
  EXPECT_EQ(sum_of(text, "databus_step_failures_total", {demo1}), done[4]);
  EXPECT_EQ(sum_of(text, "databus_drives_total", {demo1}), 3);
  EXPECT_EQ(sum_of(text, "databus_drive_duration_seconds_count", {demo1}), 3);
  EXPECT_EQ(sum_of(text, "databus_drive_duration_seconds_bucket", {demo1, "le=\"+Inf\""}), 3);
  // The flow history in the store has what the drives did.
  FlowCounts stored;
  for (const auto& [minute, counts] :
       dispatcher_->database().read_flow_counts("demo", kPassenger1, Clock::now() - days(1))) {
    stored += counts;
  }
  EXPECT_EQ(stored.pulled, done[0]);
  EXPECT_EQ(stored.pushed, done[3]);
  EXPECT_EQ(stored.failed, done[4]);
  EXPECT_EQ(stored.drives, 3);
  // The queue gauges are the store's counts.
  EntryQuery incomplete;
  incomplete.passenger_module = kPassenger1;
  incomplete.filter = EntryFilter::incomplete;
  EXPECT_EQ(sum_of(text, "databus_queue_entries", {demo1, "state=\"incomplete\""}),
            static_cast<double>(dispatcher_->database().count_entries("demo", incomplete)));
  // Node-wide families.
  EXPECT_EQ(sum_of(text, "databus_build_info"), 1);
  EXPECT_GT(sum_of(text, "process_resident_memory_bytes"), 0);
  EXPECT_GT(sum_of(text, "databus_http_requests_total", {"route=\"/metrics\"", "code=\"200\""}), 0);
  EXPECT_GT(sum_of(text, "databus_puller_last_success_timestamp_seconds", {demo1}), 1.6e9);
  // No label takes a passenger's own values.
  EXPECT_THAT(text, Not(HasSubstr("ID_1_1")));
}

TEST_F(MetricsTest, AUserWithTheMetricsRightSeesOnlyItsClient) {
  dispatcher_->drive_now("demo", kPassenger1);
  auto res = scrape("scrape-token");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("client=\"demo\""));
  EXPECT_THAT(res->body, Not(HasSubstr("client=\"root\"")));
  EXPECT_THAT(res->body, Not(HasSubstr("client=\"open\"")));
  EXPECT_THAT(res->body, Not(HasSubstr("databus_http_requests_total")));
  EXPECT_EQ(promtool_findings(res->body, dir_), "");
}

TEST_F(MetricsTest, TheMetricsAddressServesMetricsAloneWithoutAuthentication) {
  WebOptions options;
  options.port = 0;
  options.metrics_address = "127.0.0.1:0";
  WebServer second(*dispatcher_, options);
  second.start();
  ASSERT_GT(second.metrics_port(), 0);
  httplib::Client open("127.0.0.1", second.metrics_port());
  auto res = open.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("databus_build_info"));
  // Every client's series (root has no passenger types) and the node's.
  EXPECT_THAT(res->body, HasSubstr("client=\"demo\""));
  EXPECT_THAT(res->body, HasSubstr("# TYPE databus_http_requests_total counter"));
  auto other = open.Get("/api/v1/health");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);

  WebOptions bad;
  bad.port = 0;
  bad.metrics_address = "no-port";
  WebServer wrong(*dispatcher_, bad);
  EXPECT_THROW(wrong.start(), ConfigError);
}

}  // namespace
}  // namespace databus::web::testing
