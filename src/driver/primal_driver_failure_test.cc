// The primal driver when things go wrong: unknown modules, failing pullers,
// storage problems and failures. The driver never throws and retries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "driver/primal_driver.h"
#include "driver/recording_components.h"
#include "storage/testing/faulty_database.h"

namespace databus {
namespace {

using testing::Contains;
using testing::ElementsAre;
using namespace testing_support;

TEST(PrimalDriverFailureTest, AnUnknownPullerIsLoggedAndTheOthersRun) {
  DriverHarness h;
  h.passenger.pullers = {{"test.puller.missing"}, {kPullerA}};
  h.script->pull_ids[kPullerA] = {"A1"};

  Log log = h.drive();

  EXPECT_TRUE(log_has(log, LogType::error, {"test.puller.missing"}));
  EXPECT_TRUE(h.entry("A1").complete());
  EXPECT_THAT(h.observer.events, Contains("failed test.puller.missing"));
}

TEST(PrimalDriverFailureTest, AnUnknownProcessorLeavesTheEntryQueued) {
  DriverHarness h;
  h.passenger.processors = {{kProcessor1}, {"test.processor.missing"}, {kProcessor2}};
  h.script->pull_ids[kPullerA] = {"A1", "A2"};

  Log log = h.drive();

  EXPECT_TRUE(log_has(log, LogType::error, {"test.processor.missing", "TEST - A1"}));
  EXPECT_TRUE(log_has(log, LogType::error, {"test.processor.missing", "TEST - A2"}));
  for (const char* id : {"A1", "A2"}) {
    QueueEntry e = h.entry(id);
    EXPECT_FALSE(e.complete());
    EXPECT_EQ(e.processor(kProcessor1)->status, StepStatus::complete);
    const StepState* missing = e.processor("test.processor.missing");
    EXPECT_EQ(missing->attempts, 1);
    EXPECT_THAT(missing->last_error, testing::HasSubstr("test.processor.missing"));
    EXPECT_EQ(e.processor(kProcessor2)->status, StepStatus::incomplete);
  }
  EXPECT_THAT(h.script->events, Contains("process test.processor.p1 A2"));
  EXPECT_THAT(h.script->events, testing::Not(Contains("push test.pusher.x A1")));
}

TEST(PrimalDriverFailureTest, AFailedFlushReopensThatPushersPushesOnly) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1", "A2"};
  h.script->flush_failures[kPusherX] = 1;

  Log log = h.drive();

  for (const char* id : {"A1", "A2"}) {
    EXPECT_TRUE(log_has(log, LogType::error, {kPusherX, std::string("TEST - ") + id, "durable"}))
        << log.to_text();
    QueueEntry e = h.entry(id);
    EXPECT_FALSE(e.complete());
    EXPECT_EQ(e.pusher(kPusherX)->status, StepStatus::incomplete);
    EXPECT_EQ(e.pusher(kPusherX)->attempts, 1);
    EXPECT_THAT(e.pusher(kPusherX)->last_error, testing::HasSubstr("cannot sync"));
    EXPECT_EQ(e.pusher(kPusherY)->status, StepStatus::complete);
    EXPECT_THAT(h.observer.events, Contains(std::string("pushed ") + id + " " + kPusherY));
    EXPECT_THAT(h.observer.events,
                testing::Not(Contains(std::string("pushed ") + id + " " + kPusherX)));
  }

  Log second = h.drive();
  EXPECT_FALSE(second.has_errors()) << second.to_text();
  EXPECT_TRUE(h.entry("A1").complete());
  EXPECT_TRUE(h.entry("A2").complete());
}

TEST(PrimalDriverFailureTest, AnUnknownPusherDoesNotStopTheOtherPushers) {
  DriverHarness h;
  h.passenger.pushers = {{"test.pusher.missing"}, {kPusherX}};
  h.script->pull_ids[kPullerA] = {"A1"};

  Log log = h.drive();

  EXPECT_TRUE(log_has(log, LogType::error, {"test.pusher.missing", "TEST - A1"}));
  QueueEntry e = h.entry("A1");
  EXPECT_EQ(e.pusher(kPusherX)->status, StepStatus::complete);
  EXPECT_EQ(e.pusher("test.pusher.missing")->status, StepStatus::incomplete);
  EXPECT_FALSE(e.complete());
}

TEST(PrimalDriverFailureTest, AFailingPullerDoesNotStopTheOthers) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.script->pull_ids[kPullerB] = {"B1"};
  h.script->failures[kPullerA] = 1;

  Log log = h.drive();

  EXPECT_TRUE(log_has(log, LogType::error, {"puller", kPullerA, "boom"}));
  EXPECT_TRUE(h.entry("B1").complete());
  EXPECT_EQ(h.entries().size(), 1u);
}

TEST(PrimalDriverFailureTest, AFailedNotifyIsRepeatedAtTheNextDrive) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1", "A2"};
  h.script->notify_failures[kPullerA] = 1;

  Log first = h.drive();

  EXPECT_TRUE(log_has(first, LogType::error, {"notify", kPullerA, "boom"}));
  for (const QueueEntry& e : h.entries()) {
    EXPECT_FALSE(e.puller_notified);
    EXPECT_FALSE(e.complete());
    EXPECT_TRUE(e.processors_complete());  // Later steps still ran.
  }

  // The source still returns A1 and A2 (it was never told) and a new A3.
  h.script->pull_ids[kPullerA] = {"A1", "A2", "A3"};
  h.script->events.clear();
  Log second = h.drive();

  // The earlier entries are notified before the puller pulls again, the new
  // one with its batch.
  ASSERT_GE(h.script->events.size(), 3u);
  EXPECT_EQ(h.script->events[0], "notify test.puller.a A1,A2");
  EXPECT_EQ(h.script->events[1], "pull test.puller.a");
  EXPECT_EQ(h.script->events[2], "notify test.puller.a A3");
  EXPECT_TRUE(log_has(second, LogType::warning, {"already queued", "TEST - A1"}));
  EXPECT_EQ(h.entries().size(), 3u);
  for (const QueueEntry& e : h.entries()) EXPECT_TRUE(e.complete()) << e.passenger.external_id;
}

TEST(PrimalDriverFailureTest, ReportsMalformedStoredItems) {
  DriverHarness h;
  h.database.add_problem({h.client_id, "clients/acme/pqueue/x/passenger.json", "not JSON"});

  Log log = h.drive();

  EXPECT_TRUE(log_has(log, LogType::error,
                      {"malformed queue entry clients/acme/pqueue/x/passenger.json: not JSON; "
                       "left in place"}));
}

// Issue 13: a stray file in a log folder made every drive of its client
// end with an error (exit 1 of `databus drive`).
TEST(PrimalDriverFailureTest, AStrayItemIsAWarningAndTheDriveGoesOn) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  h.database.add_problem({h.client_id, "clients/acme/log/notes.txt", "not a log; left alone",
                          StorageProblem::Kind::stray_item});

  Log log = h.drive();

  EXPECT_TRUE(log_has(log, LogType::warning, {"clients/acme/log/notes.txt", "not a log"}));
  EXPECT_FALSE(log.has_errors()) << log.to_text();
  EXPECT_TRUE(h.entry("A1").complete());
}

// Issue 13: a component's name longer than a file name allows is shortened
// (the full name kept) before anything is stored.
TEST(PrimalDriverFailureTest, AttachmentNamesTooLongForAFileAreShortenedBeforeSeating) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  const std::string fits = std::string(250, 'f');
  const std::string too_long = std::string(300, 'l') + ".txt";
  h.script->raw_attachments[kPullerA] = {{fits, AttachmentFormat::text, "fits"},
                                         {too_long, AttachmentFormat::text, "long"}};

  Log log = h.drive();

  EXPECT_FALSE(log.has_errors()) << log.to_text();
  const QueueEntry e = h.entry("A1");
  ASSERT_EQ(e.passenger.attachments.size(), 2u);
  EXPECT_EQ(e.passenger.attachments[0].name, fits);
  EXPECT_EQ(e.passenger.attachments[1].name.size(), 255u);
  EXPECT_TRUE(e.passenger.attachments[1].name.ends_with(".txt"));
  EXPECT_EQ(e.passenger.attachments[1].full_name, too_long);
}

// Changes set aside stop the passengers they name, and only those.
TEST(PrimalDriverFailureTest, SetAsideChangesStopOnlyThePassengersTheyName) {
  DriverHarness h;
  h.script->pull_ids[kPullerA] = {"A1"};
  StorageProblem aside{h.client_id,
                       "clients/acme/pqueue.journal.failed-x",
                       "2 changes",
                       StorageProblem::Kind::set_aside_changes,
                       {"some.other.passenger"}};
  h.database.add_problem(aside);

  Log other = h.drive();  // Not this passenger's changes: a warning only.
  EXPECT_TRUE(log_has(other, LogType::warning, {"pqueue.journal.failed-x"}));
  EXPECT_FALSE(other.has_errors()) << other.to_text();
  EXPECT_TRUE(h.entry("A1").complete());

  DriverHarness stopped;
  stopped.script->pull_ids[kPullerA] = {"B1"};
  aside.client_id = stopped.client_id;
  aside.stopped_passengers = {stopped.passenger.name};
  stopped.database.add_problem(aside);
  Log log = stopped.drive();
  EXPECT_TRUE(log_has(log, LogType::error, {"pqueue.journal.failed-x", "2 changes"}));
  EXPECT_TRUE(log_has(log, LogType::error, {"Drive stopped"}));
  EXPECT_TRUE(stopped.entries().empty());  // Nothing pulled.
  EXPECT_THAT(stopped.script->events, testing::IsEmpty());
}

TEST(PrimalDriverFailureTest, AFailingSaveIsLoggedAndRetried) {
  DriverHarness h;
  FaultyDatabase faulty(h.database);
  h.script->pull_ids[kPullerA] = {"A1"};
  faulty.fail_method("update_entries");

  Log log = h.drive(&faulty);

  EXPECT_TRUE(log_has(log, LogType::error, {"cannot", "TEST - A1"}));
  QueueEntry e = h.entry("A1");  // Seated (insert works), nothing else stored.
  EXPECT_FALSE(e.puller_notified);
  EXPECT_EQ(e.processor(kProcessor1)->status, StepStatus::incomplete);

  faulty.heal();
  h.drive(&faulty);
  EXPECT_TRUE(h.entry("A1").complete());
}

TEST(PrimalDriverFailureTest, AFailingSeatLeavesThePullersUnnotified) {
  DriverHarness h;
  FaultyDatabase faulty(h.database);
  h.script->pull_ids[kPullerA] = {"A1"};
  faulty.fail_method("insert_entries");

  Log log = h.drive(&faulty);

  EXPECT_TRUE(log_has(log, LogType::error, {"cannot seat"}));
  EXPECT_TRUE(h.entries().empty());
  for (const std::string& event : h.script->events) {
    EXPECT_EQ(event.rfind("notify ", 0), std::string::npos) << event;
  }
}

TEST(PrimalDriverFailureTest, AnUnknownQueueIsLoggedAndNothingIsPulled) {
  DriverHarness h;
  h.passenger.queue = {"test.queue.missing"};
  Log log = h.drive();
  EXPECT_TRUE(log_has(log, LogType::error, {"test.queue.missing"}));
  EXPECT_TRUE(h.script->events.empty());
}

}  // namespace
}  // namespace databus
