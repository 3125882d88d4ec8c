// What a drive deletes afterwards: old logs and old completed queue entries.
#include "databus/dispatcher.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "databus/uuid.h"
#include "dispatcher/dispatcher_test_support.h"

namespace databus::dispatch {
namespace {

using namespace testing;

bool has_log(Database& db, const std::string& client, const std::string& guid) {
  const std::vector<LogSummary> logs = db.list_logs(client);
  return std::any_of(logs.begin(), logs.end(), [&](const LogSummary& s) { return s.guid == guid; });
}

Log log_at(TimePoint created) {
  Log log(new_uuid(), created);
  log.add("test", LogType::info, "written by the test");
  return log;
}

QueueEntry entry_pulled_at(TimePoint pulled, bool complete) {
  Passenger p;
  p.external_id = new_uuid();
  p.internal_id = new_uuid();
  p.source_system = "TEST";
  p.passenger_module = kPassengerA;
  p.puller_module = kTestPuller;
  p.pull_datetime = pulled;
  QueueEntry e = QueueEntry::seat(std::move(p), {}, {"test.pusher"});
  if (complete) {
    e.puller_notified = true;
    e.complete_all_steps();
  }
  return e;
}

class DispatcherPurgeTest : public ::testing::Test {
 protected:
  std::shared_ptr<DriveHooks> hooks_ = std::make_shared<DriveHooks>();
  Dispatcher dispatcher_{test_ticket(test_registry(hooks_))};
  Database& db_ = dispatcher_.database();
  const TimePoint now_ = Clock::now();
};

TEST_F(DispatcherPurgeTest, DeletesLogsOlderThanTheLogLifeSpan) {
  db_.write_client_config_text("c", config_text({{kPassengerA, 3600}}, /*log_life_span=*/2));
  const Log old_log = log_at(now_ - days(3));
  const Log recent_log = log_at(now_ - days(1));
  db_.write_log("c", old_log);
  db_.write_log("c", recent_log);

  const Log drive_log = dispatcher_.drive_now("c", kPassengerA);
  EXPECT_FALSE(has_log(db_, "c", old_log.guid()));
  EXPECT_TRUE(has_log(db_, "c", recent_log.guid()));
  EXPECT_TRUE(has_log(db_, "c", drive_log.guid()));
}

TEST_F(DispatcherPurgeTest, ZeroLifeSpanKeepsTheDrivesOwnLog) {
  db_.write_client_config_text("c", config_text({{kPassengerA, 3600}}, /*log_life_span=*/0));
  const Log older = log_at(now_ - std::chrono::minutes(1));
  db_.write_log("c", older);
  const Log drive_log = dispatcher_.drive_now("c", kPassengerA);
  EXPECT_FALSE(has_log(db_, "c", older.guid()));
  EXPECT_TRUE(has_log(db_, "c", drive_log.guid()));
}

TEST_F(DispatcherPurgeTest, DeletesCompleteEntriesOlderThanTheQueueLifeSpan) {
  db_.write_client_config_text(
      "c", config_text({{kPassengerA, 3600}}, /*log_life_span=*/1, /*queue_life_span=*/2));
  const QueueEntry old_complete = entry_pulled_at(now_ - days(5), true);
  const QueueEntry old_incomplete = entry_pulled_at(now_ - days(5), false);
  const QueueEntry recent_complete = entry_pulled_at(now_ - days(1), true);
  const std::vector<QueueEntry> entries{old_complete, old_incomplete, recent_complete};
  db_.insert_entries("c", entries);

  dispatcher_.drive_now("c", kPassengerA);
  EXPECT_FALSE(db_.load_entry("c", old_complete.passenger.internal_id).has_value());
  EXPECT_TRUE(db_.load_entry("c", old_incomplete.passenger.internal_id).has_value());
  EXPECT_TRUE(db_.load_entry("c", recent_complete.passenger.internal_id).has_value());
}

}  // namespace
}  // namespace databus::dispatch
