// The primal driver's step order and its normal path.
#include "driver/primal_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "driver/drive.h"
#include "driver/recording_components.h"

namespace databus {
namespace {

using testing::ElementsAre;
using namespace testing_support;

TEST(PrimalDriverTest, RunsTheStepsInOrder) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1", "A2"};
  h.script->pull_ids[kPullerB] = {"B1"};

  Log log = h.drive();

  // Batch by batch: each puller's passengers are seated, notified,
  // processed and pushed before the next puller pulls.
  EXPECT_THAT(h.script->events,
              ElementsAre("pull test.puller.a", "notify test.puller.a A1,A2",              //
                          "process test.processor.p1 A1", "process test.processor.p2 A1",  //
                          "process test.processor.p1 A2", "process test.processor.p2 A2",  //
                          "push test.pusher.x A1", "push test.pusher.y A1",                //
                          "push test.pusher.x A2", "push test.pusher.y A2",                //
                          "pull test.puller.b", "notify test.puller.b B1",                 //
                          "process test.processor.p1 B1", "process test.processor.p2 B1",  //
                          "push test.pusher.x B1", "push test.pusher.y B1"));
  EXPECT_THAT(h.observer.events,
              ElementsAre("seated A1", "seated A2",                              //
                          "pushed A1 test.pusher.x", "pushed A1 test.pusher.y",  //
                          "pushed A2 test.pusher.x", "pushed A2 test.pusher.y",  //
                          "seated B1",                                           //
                          "pushed B1 test.pusher.x", "pushed B1 test.pusher.y"));
  for (const QueueEntry& e : h.entries()) {
    EXPECT_TRUE(e.complete()) << e.passenger.external_id;
    EXPECT_THAT(e.passenger.log_guids, ElementsAre(log.guid()));
  }
  EXPECT_FALSE(log.has_errors());
  // Info lines are summarised per batch, module and group.
  EXPECT_TRUE(
      log_has(log, LogType::info, {"Got 2 passenger(s) from test.puller.a: TEST - A1, TEST - A2"}));
  EXPECT_TRUE(log_has(log, LogType::info, {"Seated 2 passenger(s): TEST - A1, TEST - A2"}));
  EXPECT_TRUE(log_has(log, LogType::info,
                      {"Pushed 2 passenger(s) with test.pusher.y: TEST - A1, TEST - A2"}));
  EXPECT_TRUE(log_has(log, LogType::info, {"Pushed 1 passenger(s) with test.pusher.y: TEST - B1"}));
}

TEST(PrimalDriverTest, SummarisedInfoLinesNameAtMostAGroupOfPassengers) {
  DriverHarness h;
  std::vector<std::string> ids;
  for (std::size_t i = 0; i <= Drive::kNamesPerLine; ++i) ids.push_back("N" + std::to_string(i));
  h.script->pull_ids[kPullerA] = ids;

  Log log = h.drive();

  const std::string first = "Got " + std::to_string(Drive::kNamesPerLine) +
                            " passenger(s) from test.puller.a: TEST - N0, TEST - N1";
  EXPECT_TRUE(log_has(log, LogType::info, {first}));
  const std::string last = "TEST - N" + std::to_string(Drive::kNamesPerLine);
  EXPECT_TRUE(log_has(log, LogType::info, {"Got 1 passenger(s) from test.puller.a: " + last}));
  // One group of pushes, named in two lines (in query order).
  EXPECT_TRUE(log_has(log, LogType::info,
                      {"Pushed " + std::to_string(Drive::kNamesPerLine) +
                       " passenger(s) with test.pusher.x: TEST - N"}));
  EXPECT_TRUE(log_has(log, LogType::info, {"Pushed 1 passenger(s) with test.pusher.x: TEST - N"}));
  EXPECT_EQ(h.observer.events.size(), 3 * ids.size());  // Seated, then pushed by x and y.
}

TEST(PrimalDriverTest, MakesEachComponentOncePerDrive) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1", "A2", "A3"};
  h.drive();
  for (const char* module : {kPullerA, kPullerB, kProcessor1, kProcessor2, kPusherX, kPusherY}) {
    EXPECT_EQ(h.script->made[module], 1) << module;
  }
}

TEST(PrimalDriverTest, ASecondDriveSeatsNothingNewAndRunsNothing) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.drive();
  h.script->events.clear();

  Log log = h.drive();

  EXPECT_THAT(h.script->events, ElementsAre("pull test.puller.a", "pull test.puller.b"));
  EXPECT_TRUE(log_has(log, LogType::warning, {"already queued", "TEST - A1"}));
  EXPECT_EQ(h.entries().size(), 1u);
}

TEST(PrimalDriverTest, RetriesAFailingPusherUntilItSucceeds) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->failures[kPusherX] = 2;

  Log first = h.drive();
  QueueEntry e = h.entry("A1");
  EXPECT_EQ(e.pusher(kPusherX)->status, StepStatus::incomplete);
  EXPECT_EQ(e.pusher(kPusherX)->attempts, 1);
  EXPECT_EQ(e.pusher(kPusherX)->last_error, "test.pusher.x boom 1");
  EXPECT_EQ(e.pusher(kPusherY)->status, StepStatus::complete);  // Not stopped by x.
  EXPECT_TRUE(log_has(first, LogType::error, {kPusherX, "TEST - A1", "boom 1"}));

  Log second = h.drive();
  e = h.entry("A1");
  EXPECT_EQ(e.pusher(kPusherX)->attempts, 2);
  EXPECT_EQ(e.pusher(kPusherX)->last_error, "test.pusher.x boom 2");
  EXPECT_FALSE(e.complete());

  Log third = h.drive();
  e = h.entry("A1");
  EXPECT_EQ(e.pusher(kPusherX)->status, StepStatus::complete);
  EXPECT_EQ(e.pusher(kPusherX)->attempts, 0);
  EXPECT_EQ(e.pusher(kPusherX)->last_error, "");
  EXPECT_TRUE(e.complete());
  EXPECT_FALSE(third.has_errors());
  EXPECT_THAT(e.passenger.log_guids, ElementsAre(first.guid(), second.guid(), third.guid()));

  int pushes_of_y = 0;
  for (const std::string& event : h.script->events) pushes_of_y += event == "push test.pusher.y A1";
  EXPECT_EQ(pushes_of_y, 1);
  EXPECT_THAT(h.observer.events, testing::Contains("failed test.pusher.x"));
}

TEST(PrimalDriverTest, AFailingProcessorBlocksLaterProcessorsAndThePush) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->failures[kProcessor1] = 1;
  h.script->actions[kProcessor1] = [](QueueEntry& e) {
    e.passenger.add_attachment("p1.txt", AttachmentFormat::text, "p1 was here");
  };

  Log log = h.drive();

  EXPECT_THAT(h.script->events, ElementsAre("pull test.puller.a", "notify test.puller.a A1",
                                            "process test.processor.p1 A1", "pull test.puller.b"));
  QueueEntry e = h.entry("A1");
  EXPECT_EQ(e.processor(kProcessor1)->attempts, 1);
  EXPECT_EQ(e.passenger.find_attachment("p1.txt"), nullptr);  // The failed run's change is dropped.
  EXPECT_EQ(e.processor(kProcessor2)->status, StepStatus::incomplete);
  EXPECT_EQ(e.pusher(kPusherX)->status, StepStatus::incomplete);
  EXPECT_TRUE(log_has(log, LogType::error, {"processor", kProcessor1, "TEST - A1"}));
  EXPECT_THAT(h.observer.events, testing::Contains("failed test.processor.p1"));

  h.drive();  // The failure is gone: everything runs on the original entry.
  e = h.entry("A1");
  EXPECT_TRUE(e.complete());
  EXPECT_NE(e.passenger.find_attachment("p1.txt"), nullptr);
  EXPECT_EQ(e.processor(kProcessor1)->attempts, 0);
}

TEST(PrimalDriverTest, AFilterMarkingThePushersCompleteStopsThePush) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->actions[kProcessor1] = [](QueueEntry& e) {
    for (StepState& s : e.pusher_statuses) s.status = StepStatus::complete;
  };

  h.drive();

  for (const std::string& event : h.script->events) {
    EXPECT_EQ(event.rfind("push ", 0), std::string::npos) << event;
  }
  EXPECT_THAT(h.script->events, testing::Contains("process test.processor.p2 A1"));
  EXPECT_TRUE(h.entry("A1").complete());
}

TEST(PrimalDriverTest, AProcessorCanChangeThePassenger) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->actions[kProcessor1] = [](QueueEntry& e) {
    e.passenger.add_attachment("converted.txt", AttachmentFormat::text, "done");
  };
  h.drive();
  // entry() returns a copy: keep it while `a` points into it (ASan found a
  // read of the freed copy here).
  const QueueEntry entry = h.entry("A1");
  const Attachment* a = entry.passenger.find_attachment("converted.txt");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->content, "done");
}

TEST(PrimalDriverTest, CleansesAttachmentNamesFromAPuller) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->raw_attachments[kPullerA] = {
      {"../../etc/passwd", AttachmentFormat::text, "x"},
      {"a/b.txt", AttachmentFormat::text, "y"},
      {std::string("nul\0name", 8), AttachmentFormat::text, "z"},
      {"na\xC3\xAFve.txt", AttachmentFormat::text, "w"},
      {"..", AttachmentFormat::text, "v"},
      {"same.txt", AttachmentFormat::text, "1"},
      {"same.txt", AttachmentFormat::text, "2"},
  };
  h.drive();
  std::vector<std::string> names;
  for (const Attachment& a : h.entry("A1").passenger.attachments) names.push_back(a.name);
  // Only what is unsafe in a file name changes: letters of any script stay.
  EXPECT_THAT(names, ElementsAre(".._.._etc_passwd", "a_b.txt", "nul_name", "na\xC3\xAFve.txt",
                                 "_..", "same.txt", "same (2).txt"));
}

TEST(PrimalDriverTest, CleansingKeepsNamesAlreadyStored) {
  Passenger p;
  p.add_attachment("same.txt", AttachmentFormat::text, "1");
  p.add_attachment("same.txt", AttachmentFormat::text, "2");
  // As the original stored them: spaces and non-ASCII letters.
  p.add_attachment("\xC3\xBC.txt", AttachmentFormat::text, "3");
  p.add_attachment("a b.txt", AttachmentFormat::text, "4");
  p.add_attachment("a b.txt", AttachmentFormat::text, "5");
  ASSERT_EQ(p.attachments[2].name, "\xC3\xBC.txt");
  ASSERT_EQ(p.attachments[4].name, "a b (2).txt");
  Passenger copy = p;
  cleanse_attachments(copy);
  EXPECT_EQ(copy, p);
}

TEST(PrimalDriverTest, StopsBetweenEntriesWhenAskedTo) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1", "A2"};
  h.script->actions[kProcessor2] = [&h](QueueEntry&) { h.stop = true; };

  Log log = h.drive();

  EXPECT_TRUE(h.entry("A1").processors_complete());
  EXPECT_FALSE(h.entry("A2").processors_complete());
  EXPECT_TRUE(h.entry("A2").puller_notified);  // Seated entries are still notified.
  EXPECT_TRUE(log_has(log, LogType::info, {"ended early"}));
}

}  // namespace
}  // namespace databus
