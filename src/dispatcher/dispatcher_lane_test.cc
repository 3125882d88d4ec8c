// The lanes through the dispatcher (docs/architecture.md "Lanes: one door per
// client passenger"): edits that would lose a drive's update wait for it,
// seats outside drives are deduplicated against each other and the drive's,
// an export closes the client's queues, and inbox seats share one log.
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "databus/dispatcher.h"
#include "databus/error.h"
#include "databus/queue.h"
#include "databus/uuid.h"
#include "dispatcher/dispatcher_test_support.h"

namespace databus::dispatch {
namespace {

using namespace testing;
using namespace std::chrono_literals;

constexpr char kPusher[] = "x.pusher";
const std::string kA = DriveHooks::key("c", kPassengerA);

class DispatcherLaneTest : public ::testing::Test {
 protected:
  DispatcherLaneTest() {
    ticket_.cycle = std::chrono::hours(1);  // Drives only when a test asks.
  }

  Dispatcher& make() {
    dispatcher_ = std::make_unique<Dispatcher>(ticket_);
    dispatcher_->database().write_client_config_text("c", config_text({{kPassengerA, 3600}}));
    return *dispatcher_;
  }

  ClientPassenger passenger_config() {
    return *dispatcher_->database().load_client("c").find_passenger(kPassengerA);
  }

  Passenger passenger(const std::string& external_id) {
    Passenger p;
    p.passenger_module = kPassengerA;
    p.internal_id = new_uuid();
    p.external_id = external_id;
    p.source_system = "src";
    p.puller_module = "test.webhook";
    p.pull_datetime = Clock::now();
    return p;
  }

  // An entry of A with one incomplete pusher, not notified.
  std::string stored_entry() {
    QueueEntry e = QueueEntry::seat(passenger("e1"), {}, {kPusher});
    dispatcher_->database().insert_entries("c", std::span<const QueueEntry>(&e, 1));
    return e.passenger.internal_id;
  }

  std::shared_ptr<DriveHooks> hooks_ = std::make_shared<DriveHooks>();
  DispatcherTicket ticket_ = test_ticket(test_registry(hooks_));
  std::unique_ptr<Dispatcher> dispatcher_;
};

// The lost update of a status edit racing a drive: the drive has read the
// entry and writes it back after the edit would have been made. Through the
// lane the edit waits for the drive and then changes what the drive stored.
TEST_F(DispatcherLaneTest, AnEditWaitsForTheDriveAndLosesNothing) {
  Dispatcher& d = make();
  const std::string id = stored_entry();
  Gate read_done;
  Gate finish;
  const auto hooked = hooks_->hook([&](const DriveRequest& r) {
    QueueEntry e = *r.database->load_entry("c", id);
    read_done.open();
    finish.wait();
    e.pusher(kPusher)->status = StepStatus::complete;  // The push succeeded.
    r.database->update_entries("c", std::span<const QueueEntry>(&e, 1), SaveScope::statuses);
  });
  auto drive = std::async(std::launch::async, [&] { d.drive_now("c", kPassengerA); });
  ASSERT_TRUE(read_done.wait());

  std::atomic<bool> edited{false};
  auto edit = std::async(std::launch::async, [&] {
    QueueEntry e = d.edit_entry(
        "c", id, [](QueueEntry& entry) { entry.puller_notified = true; }, kPatience);
    edited = true;
    return e;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(edited.load()) << "the edit did not wait for the drive";
  finish.open();
  drive.get();
  const QueueEntry returned = edit.get();

  const QueueEntry stored = *d.database().load_entry("c", id);
  EXPECT_TRUE(stored.puller_notified);                              // The edit holds,
  EXPECT_EQ(stored.pusher(kPusher)->status, StepStatus::complete);  // and so does the drive.
  EXPECT_TRUE(returned.puller_notified);
  EXPECT_EQ(returned.pusher(kPusher)->status, StepStatus::complete);
}

TEST_F(DispatcherLaneTest, AnEditGivesUpWhileALongDriveRunsAndChangesNothing) {
  Dispatcher& d = make();
  const std::string id = stored_entry();
  Gate started;
  Gate finish;
  const auto hooked = hooks_->hook([&](const DriveRequest&) {
    started.open();
    finish.wait();
  });
  auto drive = std::async(std::launch::async, [&] { d.drive_now("c", kPassengerA); });
  ASSERT_TRUE(started.wait());
  EXPECT_THROW(d.edit_entry(
                   "c", id, [](QueueEntry& e) { e.puller_notified = true; }, 50ms),
               StateError);
  EXPECT_THROW(d.purge_complete("c", kPassengerA, 50ms), StateError);
  finish.open();
  drive.get();
  EXPECT_FALSE(d.database().load_entry("c", id)->puller_notified);
  EXPECT_THROW(d.edit_entry("c", new_uuid(), [](QueueEntry&) {}), NotFoundError);
}

// Many entries edited under one hold: the edit waits for a running drive,
// changes only what the selection picks and `edit` accepts, and a long drive
// makes it give up without changing anything.
TEST_F(DispatcherLaneTest, ManyEntriesAreEditedUnderOneHoldOfTheDoor) {
  Dispatcher& d = make();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    QueueEntry e = QueueEntry::seat(passenger("e" + std::to_string(i)), {}, {kPusher});
    if (i < 2) e.pusher(kPusher)->quarantined = true;
    e.pusher(kPusher)->attempts = 5;
    d.database().insert_entries("c", std::span<const QueueEntry>(&e, 1));
    ids.push_back(e.passenger.internal_id);
  }
  Gate started;
  Gate finish;
  const auto hooked = hooks_->hook([&](const DriveRequest&) {
    started.open();
    finish.wait();
  });
  auto drive = std::async(std::launch::async, [&] { d.drive_now("c", kPassengerA); });
  ASSERT_TRUE(started.wait());
  EntryQuery quarantined;
  quarantined.filter = EntryFilter::quarantined;
  const auto accept_first = [&](QueueEntry& e) {
    if (e.passenger.internal_id != ids[0]) return false;
    e.pusher(kPusher)->reset_failures();
    return true;
  };
  EXPECT_THROW(d.edit_entries("c", kPassengerA, quarantined, accept_first, 50ms), StateError);
  EXPECT_TRUE(d.database().load_entry("c", ids[0])->pusher(kPusher)->quarantined);

  std::atomic<bool> edited{false};
  auto edit = std::async(std::launch::async, [&] {
    auto changed = d.edit_entries("c", kPassengerA, quarantined, accept_first, kPatience);
    edited = true;
    return changed;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(edited.load()) << "the edit did not wait for the drive";
  finish.open();
  drive.get();
  const std::vector<QueueEntry> changed = edit.get();
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].passenger.internal_id, ids[0]);
  const StepState first = *d.database().load_entry("c", ids[0])->pusher(kPusher);
  EXPECT_FALSE(first.quarantined);
  EXPECT_EQ(first.attempts, 0);
  EXPECT_TRUE(d.database().load_entry("c", ids[1])->pusher(kPusher)->quarantined);  // Declined.
  EXPECT_EQ(d.database().load_entry("c", ids[2])->pusher(kPusher)->attempts, 5);    // Not selected.
  EXPECT_THROW(d.edit_entries("c", "no.such.passenger", quarantined, accept_first), NotFoundError);
}

// Seats from many requests and from a drive, all of one key at once: one
// entry.
TEST_F(DispatcherLaneTest, SeatsOfOneKeyFromRequestsAndADriveSeatOnce) {
  Dispatcher& d = make();
  const ClientPassenger config = passenger_config();
  Gate go;
  const auto hooked = hooks_->hook([&](const DriveRequest& r) {
    std::unique_ptr<Queue> queue =
        r.factories->queue(r.passenger.queue.module, QueueEnv{r.database, "c", r.passenger});
    DriveContext ctx("c", r.passenger, *r.log, [] { return Passenger{}; });
    go.wait();
    queue->seat(ctx, {passenger("same")});
  });
  std::vector<std::future<bool>> seats;
  auto drive = std::async(std::launch::async, [&] { d.drive_now("c", kPassengerA); });
  for (int i = 0; i < 8; ++i) {
    seats.push_back(std::async(std::launch::async, [&] {
      go.wait();
      return d.seat("c", config, passenger("same"), "seated").has_value();
    }));
  }
  go.open();
  drive.get();
  int seated = 0;
  for (auto& s : seats) seated += s.get() ? 1 : 0;
  EXPECT_LE(seated, 1);
  EXPECT_EQ(d.database().count_entries("c", EntryQuery{}), 1u);
}

TEST_F(DispatcherLaneTest, SeatsAreNotifiedAndShareOneLogWrittenBeforeTheNextDrive) {
  Dispatcher& d = make();
  const ClientPassenger config = passenger_config();
  std::vector<QueueEntry> seated;
  for (const char* id : {"a", "b", "c"}) {
    std::optional<QueueEntry> e = d.seat("c", config, passenger(id), std::string("seated ") + id);
    ASSERT_TRUE(e.has_value());
    EXPECT_TRUE(e->puller_notified);
    seated.push_back(*e);
  }
  EXPECT_FALSE(d.seat("c", config, passenger("a"), "again").has_value());  // Queued already.
  EXPECT_TRUE(d.database().list_logs("c").empty());                        // Not one log per seat.

  d.drive_now("c", kPassengerA);
  const std::vector<LogSummary> logs = d.database().list_logs("c");
  ASSERT_EQ(logs.size(), 2u);  // The seats' log, then the drive's.
  const std::string inbox_guid = seated[0].passenger.log_guids.at(0);
  for (const QueueEntry& e : seated) EXPECT_EQ(e.passenger.log_guids.at(0), inbox_guid);
  std::optional<Log> inbox_log = d.database().read_log("c", inbox_guid);
  ASSERT_TRUE(inbox_log.has_value());
  int notes = 0;
  for (const LogEntry& line : inbox_log->entries()) {
    if (line.message.rfind("seated ", 0) == 0) ++notes;
  }
  EXPECT_EQ(notes, 3);
  for (const QueueEntry& e : seated) {
    EXPECT_TRUE(d.database().load_entry("c", e.passenger.internal_id)->puller_notified);
  }
}

TEST_F(DispatcherLaneTest, AnExportClosesTheClientsQueuesUntilItEnds) {
  Dispatcher& d = make();
  const ClientPassenger config = passenger_config();
  const std::string id = stored_entry();
  d.begin_export("c");
  EXPECT_THROW(d.seat("c", config, passenger("x"), ""), StateError);
  EXPECT_THROW(d.edit_entry("c", id, [](QueueEntry& e) { e.puller_notified = true; }), StateError);
  EXPECT_THROW(d.purge_complete("c", kPassengerA), StateError);
  d.end_export("c", true, "");
  EXPECT_TRUE(d.seat("c", config, passenger("x"), "").has_value());
  EXPECT_TRUE(
      d.edit_entry("c", id, [](QueueEntry& e) { e.puller_notified = true; }).puller_notified);
}

}  // namespace
}  // namespace databus::dispatch
