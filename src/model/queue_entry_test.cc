#include "databus/queue_entry.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(QueueEntryTest, SeatedEntryIsIncompleteEverywhere) {
  QueueEntry e = QueueEntry::seat(Passenger{}, {"p1", "p2"}, {"u1"});
  EXPECT_FALSE(e.puller_notified);
  ASSERT_EQ(e.processor_statuses.size(), 2u);
  EXPECT_EQ(e.processor_statuses[1].module, "p2");
  EXPECT_EQ(e.processor("p1")->status, StepStatus::incomplete);
  EXPECT_EQ(e.pusher("u1")->attempts, 0);
  EXPECT_FALSE(e.complete());
  EXPECT_EQ(e.pusher("nope"), nullptr);
}

TEST(QueueEntryTest, CompleteNeedsNotificationAndEveryStep) {
  QueueEntry e = QueueEntry::seat(Passenger{}, {"p1"}, {"u1"});
  e.processor("p1")->status = StepStatus::complete;
  EXPECT_TRUE(e.processors_complete());
  EXPECT_TRUE(e.has_incomplete_pusher());
  e.pusher("u1")->status = StepStatus::complete;
  EXPECT_FALSE(e.complete());  // Not notified yet.
  e.puller_notified = true;
  EXPECT_TRUE(e.complete());
}

TEST(QueueEntryTest, UndefinedIsNotComplete) {
  QueueEntry e = QueueEntry::seat(Passenger{}, {}, {"u1"});
  e.puller_notified = true;
  e.pusher("u1")->status = StepStatus::undefined;
  EXPECT_FALSE(e.complete());
}

TEST(QueueEntryTest, CompleteAllStepsIsWhatAFilterDoes) {
  QueueEntry e = QueueEntry::seat(Passenger{}, {"p1"}, {"u1", "u2"});
  e.puller_notified = true;
  e.complete_all_steps();
  EXPECT_TRUE(e.complete());
}

TEST(QueueEntryTest, StatusWords) {
  EXPECT_EQ(parse_step_status("complete"), StepStatus::complete);
  EXPECT_EQ(to_string(StepStatus::undefined), "undefined");
  EXPECT_THROW(parse_step_status("done"), std::invalid_argument);
}

}  // namespace
}  // namespace databus
