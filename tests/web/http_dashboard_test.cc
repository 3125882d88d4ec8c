// The Dashboard (docs/operations.md "Monitoring"): its API's flow counts
// and 24-hour history after drives, the live tail, the page and the
// fragment its script reloads, and who may see them.

#include <gmock/gmock.h>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const json* passenger_of(const json& dashboard, const std::string& name) {
  for (const json& p : dashboard["passengers"]) {
    if (p["passenger"] == name) return &p;
  }
  return nullptr;
}

TEST_F(WebTest, DashboardShowsTheFlowAndTheLast24HoursFromTheStore) {
  drive_demo();
  drive_demo();
  Browser b = logged_in("demo", "viewer", "viewer-pass");  // An operator.
  auto res = b.get("/api/v1/clients/demo/dashboard");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json d = json::parse(res->body);
  const json* p = passenger_of(d, kPassenger1);
  ASSERT_NE(p, nullptr) << d.dump(2);

  // The flow: pullers, then processors and pushers of the configuration.
  const ClientConfig config = dispatcher_->database().load_client("demo");
  const ClientPassenger* configured = config.find_passenger(kPassenger1);
  ASSERT_NE(configured, nullptr);
  ASSERT_EQ((*p)["steps"].size(), configured->pullers.size() +
                                      configured->processor_modules().size() +
                                      configured->pusher_modules().size());
  EXPECT_EQ((*p)["steps"][0]["kind"], "puller");
  EntryQuery open;
  open.passenger_module = kPassenger1;
  open.filter = EntryFilter::incomplete;
  EXPECT_EQ((*p)["queue"]["waiting"], dispatcher_->database().count_entries("demo", open));

  // History: 144 buckets of 10 minutes; the two drives are in them.
  const json& buckets = (*p)["history"]["buckets"];
  ASSERT_EQ(buckets.size(), 144u);
  std::int64_t drives = 0, pulled = 0;
  for (const json& bucket : buckets) {
    drives += bucket["drives"].get<std::int64_t>();
    pulled += bucket["pulled"].get<std::int64_t>();
  }
  EXPECT_EQ(drives, 2);
  EXPECT_GT(pulled, 0);
  EXPECT_EQ(buckets.back()["drives"].get<std::int64_t>() +
                buckets[buckets.size() - 2]["drives"].get<std::int64_t>(),
            2);  // Now, or the bucket before when the minute turned meanwhile.
}

TEST_F(WebTest, DashboardCountsFailingStepsAtTheirBox) {
  const std::string id = drive_demo();
  const ClientConfig config = dispatcher_->database().load_client("demo");
  const ClientPassenger* p = config.find_passenger(kPassenger1);
  ASSERT_NE(p, nullptr);
  ASSERT_FALSE(p->pusher_modules().empty());
  const std::string pusher = p->pusher_modules()[0];
  dispatcher_->edit_entry(
      "demo", id,
      [&](QueueEntry& e) {
        for (StepState& s : e.processor_statuses) s.status = StepStatus::complete;
        StepState* step = e.pusher(pusher);
        step->status = StepStatus::incomplete;
        step->attempts = 2;
        step->last_error = "refused";
        step->next_attempt = Clock::now() + std::chrono::hours(1);
      },
      std::chrono::seconds(10));
  Browser b = logged_in("demo", "demo", "demo");
  const json d = json::parse(b.get("/api/v1/clients/demo/dashboard")->body);
  const json* passenger = passenger_of(d, kPassenger1);
  ASSERT_NE(passenger, nullptr);
  for (const json& step : (*passenger)["steps"]) {
    if (step["kind"] == "pusher" && step["module"] == pusher) {
      EXPECT_GE(step["waiting"].get<int>(), 1);
      EXPECT_EQ(step["failing"].get<int>(), 1);
    }
  }
  EXPECT_EQ((*passenger)["queue"]["failing"], 1);
  auto page = b.get("/c/demo/dashboard");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body, HasSubstr("flow-bad"));
  EXPECT_THAT(page->body, HasSubstr("1 failing</a>"));
  EXPECT_THAT(page->body, HasSubstr("filter=failing"));
}

TEST_F(WebTest, LiveTailGivesTheLinesOfDrivesAfterASequenceNumber) {
  Browser b = logged_in("demo", "demo", "demo");
  const json empty = json::parse(b.get("/api/v1/clients/demo/tail?after=0")->body);
  EXPECT_TRUE(empty["lines"].empty());
  drive_demo();
  const json first = json::parse(b.get("/api/v1/clients/demo/tail?after=0")->body);
  ASSERT_FALSE(first["lines"].empty());
  bool done = false;
  for (const json& line : first["lines"]) {
    EXPECT_EQ(line["passenger"], kPassenger1);
    if (line["message"].get<std::string>().starts_with("Drive done")) done = true;
  }
  EXPECT_TRUE(done) << first.dump(2);
  const std::uint64_t last = first["last"];
  EXPECT_TRUE(
      json::parse(b.get("/api/v1/clients/demo/tail?after=" + std::to_string(last))->body)["lines"]
          .empty());
  // Another client's user sees none of demo's lines.
  Browser open = browser();
  EXPECT_EQ(logged_in("root", "root", "root").status_of_get("/api/v1/clients/demo/tail"), 200);
  EXPECT_EQ(open.status_of_get("/api/v1/clients/demo/tail"), 401);
}

TEST_F(WebTest, DashboardPageIsTheFirstPageWithChartsAndRefreshesItsPart) {
  drive_demo();
  Browser b = browser();
  auto login = b.form_login("demo", "demo", "demo");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->get_header_value("Location"), "/c/demo/dashboard");
  auto page = b.get("/c/demo/dashboard");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<svg class=\"chart\""));
  EXPECT_THAT(page->body, HasSubstr("data-refresh=\"/c/demo/dashboard/fragment\""));
  EXPECT_THAT(page->body, HasSubstr("data-tail=\"/api/v1/clients/demo/tail\""));
  EXPECT_THAT(page->body, Not(HasSubstr("style=")));  // The CSP allows no inline style.
  auto fragment = b.get("/c/demo/dashboard/fragment");
  ASSERT_TRUE(fragment);
  EXPECT_EQ(fragment->status, 200);
  EXPECT_THAT(fragment->body, HasSubstr("class=\"flow\""));
  EXPECT_THAT(fragment->body, Not(HasSubstr("<html")));
  // The Passengers page has the live tail too.
  EXPECT_THAT(b.get("/c/demo/passengers")->body, HasSubstr("data-tail="));

  Browser stranger = browser();
  EXPECT_EQ(stranger.status_of_get("/api/v1/clients/demo/dashboard"), 401);
  Browser root_user = logged_in("root", "root", "root");
  EXPECT_EQ(root_user.status_of_get("/api/v1/clients/demo/dashboard"), 200);
}

}  // namespace
}  // namespace databus::web::testing
