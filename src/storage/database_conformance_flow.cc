// The conformance suite, part 6: the flow history (database.h "Flow
// history", flow_history.h): per-minute counts added up, read from a
// minute on, kept per client passenger, deleted before an instant, and
// kept across a reopen.
#include "databus/flow_history.h"
#include "storage/database_conformance.h"
#include "storage/database_conformance_support.h"

namespace databus {

using namespace conformance;

namespace {

const std::string kOther = "databus.passenger.demo.demo_passenger_2";

FlowCounts counts(std::int64_t pulled, std::int64_t pushed, std::int64_t failed,
                  std::int64_t drive_ms) {
  return FlowCounts{pulled, pushed, failed, 1, drive_ms};
}

}  // namespace

TEST_P(DatabaseConformanceTest, FlowCountsAddUpPerMinuteAndClientPassenger) {
  // kT0 is 22:13:01.29; its minute starts at 22:13:00.
  const TimePoint minute = flow_minute_of(kT0);
  EXPECT_TRUE(db_->read_flow_counts("demo", kModule, kT0 - days(1)).empty());
  db_->add_flow_counts("demo", kModule, kT0, counts(3, 2, 1, 40));
  db_->add_flow_counts("demo", kModule, kT0 + std::chrono::seconds(30), counts(1, 1, 0, 60));
  db_->add_flow_counts("demo", kModule, minutes_after_t0(10), counts(5, 5, 0, 10));
  // Two hours later: the next day (kT0 is 22:13), so the defaults' second
  // document.
  db_->add_flow_counts("demo", kModule, minutes_after_t0(120), counts(7, 0, 7, 10));
  db_->add_flow_counts("demo", kOther, kT0, counts(100, 0, 0, 1));
  db_->add_flow_counts("other", kModule, kT0, counts(200, 0, 0, 1));

  const FlowHistory all = db_->read_flow_counts("demo", kModule, kT0 - days(1));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.at(minute), (FlowCounts{4, 3, 1, 2, 100}));
  EXPECT_EQ(all.at(minute + std::chrono::minutes(10)), counts(5, 5, 0, 10));
  EXPECT_EQ(all.at(minute + std::chrono::minutes(120)), counts(7, 0, 7, 10));
  EXPECT_EQ(all.begin()->first, minute);  // Oldest first.

  // From a minute on: the minute `since` falls in (kT0 + 10 min + 30 s is
  // 22:23:31) is included.
  const FlowHistory later =
      db_->read_flow_counts("demo", kModule, minutes_after_t0(10) + std::chrono::seconds(30));
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later.begin()->first, minute + std::chrono::minutes(10));

  EXPECT_EQ(db_->read_flow_counts("demo", kOther, kT0 - days(1)).at(minute).pulled, 100);
  EXPECT_EQ(db_->read_flow_counts("other", kModule, kT0 - days(1)).at(minute).pulled, 200);
}

TEST_P(DatabaseConformanceTest, FlowCountsAreDeletedBeforeAnInstantAndSurviveAReopen) {
  db_->add_flow_counts("demo", kModule, kT0 - days(3), counts(1, 0, 0, 1));
  db_->add_flow_counts("demo", kModule, kT0 - days(2), counts(2, 0, 0, 1));
  db_->add_flow_counts("demo", kModule, kT0, counts(3, 0, 0, 1));
  EXPECT_GT(db_->delete_flow_counts_before("demo", kModule, kT0 - days(1)), 0u);
  const FlowHistory kept = db_->read_flow_counts("demo", kModule, kT0 - days(10));
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept.begin()->second.pulled, 3);
  EXPECT_EQ(db_->delete_flow_counts_before("demo", kModule, kT0 - days(1)), 0u);

  if (db_->engine() == "memory") return;  // Nothing persists.
  db_.reset();
  db_ = reopen();
  const FlowHistory reopened = db_->read_flow_counts("demo", kModule, kT0 - days(10));
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened.begin()->second, counts(3, 0, 0, 1));
}

}  // namespace databus
