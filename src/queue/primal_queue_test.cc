#include "queue/primal_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>

#include "databus/database_wrapper.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/memory/memory_database.h"
#include "storage/testing/faulty_database.h"

namespace databus {
namespace {

using testing::ElementsAre;

class PrimalQueueTest : public testing::Test {
 protected:
  PrimalQueueTest() {
    passenger_.name = "test.passenger";
    passenger_.pullers = {{"test.puller.a"}, {"test.puller.b"}};
    passenger_.processors = {{"test.processor.p1"}, {"test.processor.p2"}};
    passenger_.pushers = {{"test.pusher.x"}};
  }

  PrimalQueue queue(Database* db = nullptr) {
    return PrimalQueue(QueueEnv{db != nullptr ? db : &database_, "acme", passenger_});
  }

  DriveContext context(Log& log) {
    return DriveContext("acme", passenger_, log, [] { return Passenger{}; });
  }

  Passenger passenger(const std::string& external_id, const std::string& puller = "test.puller.a",
                      const std::string& source = "SRC") {
    Passenger p;
    p.external_id = external_id;
    p.source_system = source;
    p.internal_id = new_uuid();
    p.puller_module = puller;
    p.pull_datetime = TimePoint{} + std::chrono::hours(24 * 365 * 50) + std::chrono::seconds(++n_);
    return p;
  }

  static std::vector<std::string> ids(const std::vector<QueueEntry>& entries) {
    std::vector<std::string> out;
    for (const QueueEntry& e : entries) out.push_back(e.passenger.external_id);
    return out;
  }

  MemoryDatabase database_;
  ClientPassenger passenger_;
  Log log_;
  int n_ = 0;
};

TEST_F(PrimalQueueTest, SeatsWithAnIncompleteStatusPerStep) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  std::vector<QueueEntry> seated = q.seat(ctx, {passenger("E1")});

  ASSERT_EQ(seated.size(), 1u);
  std::optional<QueueEntry> stored = database_.load_entry("acme", seated[0].passenger.internal_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, seated[0]);
  EXPECT_FALSE(stored->puller_notified);
  EXPECT_EQ(stored->passenger.passenger_module, "test.passenger");
  EXPECT_THAT(stored->passenger.log_guids, ElementsAre(log_.guid()));
  ASSERT_EQ(stored->processor_statuses.size(), 2u);
  EXPECT_EQ(stored->processor_statuses[0].module, "test.processor.p1");
  EXPECT_EQ(stored->processor_statuses[1].module, "test.processor.p2");
  ASSERT_EQ(stored->pusher_statuses.size(), 1u);
  EXPECT_EQ(stored->pusher_statuses[0].module, "test.pusher.x");
  for (const StepState& s : stored->processor_statuses) {
    EXPECT_EQ(s.status, StepStatus::incomplete);
  }
  EXPECT_EQ(stored->pusher_statuses[0].status, StepStatus::incomplete);
}

TEST_F(PrimalQueueTest, SkipsPassengersAlreadyQueuedAcrossDrives) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  q.seat(ctx, {passenger("E1")});

  Log second;
  DriveContext ctx2 = context(second);
  Passenger again = passenger("E1");
  std::vector<QueueEntry> seated = q.seat(ctx2, {again, passenger("E2")});

  EXPECT_THAT(ids(seated), ElementsAre("E2"));
  ASSERT_EQ(second.entries().size(), 1u);
  EXPECT_EQ(second.entries()[0].type, LogType::warning);
  EXPECT_THAT(second.entries()[0].message, testing::HasSubstr(again.describe()));
  EXPECT_EQ(database_.count_entries("acme", EntryQuery{}), 2u);
}

TEST_F(PrimalQueueTest, SkipsDuplicatesWithinOneBatch) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  std::vector<QueueEntry> seated =
      q.seat(ctx, {passenger("E1"), passenger("E1", "test.puller.b"), passenger("E2")});
  EXPECT_THAT(ids(seated), ElementsAre("E1", "E2"));
  EXPECT_EQ(database_.count_entries("acme", EntryQuery{}), 2u);
  EXPECT_TRUE(log_.worst_type() == LogType::warning);
}

TEST_F(PrimalQueueTest, TheDedupKeyIsSourceAndExternalIdWithinThePassengerType) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  q.seat(ctx, {passenger("E1", "test.puller.a", "SRC")});
  EXPECT_EQ(q.seat(ctx, {passenger("E1", "test.puller.a", "OTHER")}).size(), 1u);

  ClientPassenger other_type = passenger_;
  other_type.name = "test.other_passenger";
  PrimalQueue other(QueueEnv{&database_, "acme", other_type});
  EXPECT_EQ(other.seat(ctx, {passenger("E1", "test.puller.a", "SRC")}).size(), 1u);
}

TEST_F(PrimalQueueTest, GivesAReusedInternalIdANewOne) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  Passenger first = passenger("E1");
  q.seat(ctx, {first});
  Passenger second = passenger("E2");
  Passenger third = passenger("E3");
  second.internal_id = first.internal_id;
  third.internal_id = "";
  std::vector<QueueEntry> seated = q.seat(ctx, {second, third});
  ASSERT_EQ(seated.size(), 2u);
  EXPECT_NE(seated[0].passenger.internal_id, first.internal_id);
  EXPECT_TRUE(is_uuid(seated[1].passenger.internal_id));
  EXPECT_EQ(database_.count_entries("acme", EntryQuery{}), 3u);
  EXPECT_EQ(database_.load_entry("acme", first.internal_id)->passenger.external_id, "E1");
}

TEST_F(PrimalQueueTest, SeatWritesOneBatchOrNothing) {
  FaultyDatabase faulty(database_);
  PrimalQueue q = queue(&faulty);
  DriveContext ctx = context(log_);
  faulty.fail_method("insert_entries");
  EXPECT_THROW(q.seat(ctx, {passenger("E1"), passenger("E2")}), StorageError);
  EXPECT_EQ(database_.count_entries("acme", EntryQuery{}), 0u);
}

// Another seat (another node) stored a key between the queue's lookup and
// its write: the engine's seat_entries() skips it, and the queue neither
// returns it nor remembers it, but warns as for any duplicate.
TEST_F(PrimalQueueTest, AKeySeatedMeanwhileIsSkippedByTheEngine) {
  class LateLookups : public DatabaseWrapper {
   public:
    using DatabaseWrapper::DatabaseWrapper;
    // The lookup before the write sees nothing; the engine's step does.
    std::map<DedupKey, std::string> find_entries(const std::string&, const std::string&,
                                                 std::span<const DedupKey>) override {
      return {};
    }
    std::vector<std::size_t> seat_entries(const std::string& c,
                                          std::span<const QueueEntry> entries) override {
      std::vector<DedupKey> keys;
      for (const QueueEntry& e : entries)
        keys.push_back({e.passenger.source_system, e.passenger.external_id});
      const auto stored =
          target().find_entries(c, entries.front().passenger.passenger_module, keys);
      std::vector<std::size_t> skipped;
      std::vector<QueueEntry> fresh;
      for (std::size_t i = 0; i < entries.size(); ++i) {
        if (stored.count(keys[i]) > 0) {
          skipped.push_back(i);
        } else {
          fresh.push_back(entries[i]);
        }
      }
      target().insert_entries(c, fresh);
      return skipped;
    }
  };
  LateLookups late(database_);
  PrimalQueue first = queue();
  DriveContext ctx = context(log_);
  first.seat(ctx, {passenger("B")});
  PrimalQueue q = queue(&late);
  const std::vector<QueueEntry> seated =
      q.seat(ctx, {passenger("A"), passenger("B"), passenger("C")});
  EXPECT_THAT(ids(seated), ElementsAre("A", "C"));
  EXPECT_EQ(database_.count_entries("acme", EntryQuery{}), 3u);
  EXPECT_NE(log_.to_text().find("already queued; skipped"), std::string::npos);
}

TEST_F(PrimalQueueTest, ListsUnnotifiedEntriesPerPuller) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  q.seat(ctx, {passenger("A1"), passenger("B1", "test.puller.b"), passenger("A2")});

  std::vector<QueueEntry> a = q.unnotified(ctx, "test.puller.a", {});
  EXPECT_THAT(ids(a), ElementsAre("A1", "A2"));
  EXPECT_THAT(ids(q.unnotified(ctx, "test.puller.b", {})), ElementsAre("B1"));

  q.mark_notified(ctx, a);
  EXPECT_TRUE(a[0].puller_notified);
  EXPECT_TRUE(q.unnotified(ctx, "test.puller.a", {}).empty());
  EXPECT_THAT(ids(q.unnotified(ctx, "test.puller.b", {})), ElementsAre("B1"));
  EXPECT_TRUE(database_.load_entry("acme", a[1].passenger.internal_id)->puller_notified);
}

TEST_F(PrimalQueueTest, ListsEntriesAwaitingProcessingAndPush) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  std::vector<QueueEntry> seated = q.seat(ctx, {passenger("E1"), passenger("E2")});
  EXPECT_THAT(ids(q.awaiting_processing(ctx, {})), ElementsAre("E1", "E2"));
  EXPECT_TRUE(q.awaiting_push(ctx, {}).empty());

  QueueEntry& e1 = seated[0];
  for (StepState& s : e1.processor_statuses) s.status = StepStatus::complete;
  q.save(ctx, e1, SaveScope::statuses);
  EXPECT_THAT(ids(q.awaiting_processing(ctx, {})), ElementsAre("E2"));
  EXPECT_THAT(ids(q.awaiting_push(ctx, {})), ElementsAre("E1"));

  e1.pusher_statuses[0].status = StepStatus::complete;
  q.save(ctx, e1, SaveScope::statuses);
  EXPECT_TRUE(q.awaiting_push(ctx, {}).empty());
}

TEST_F(PrimalQueueTest, SaveRecordsTheLogGuidOnce) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  QueueEntry e = q.seat(ctx, {passenger("E1")})[0];
  q.save(ctx, e, SaveScope::statuses);
  q.save(ctx, e, SaveScope::statuses);
  EXPECT_THAT(database_.load_entry("acme", e.passenger.internal_id)->passenger.log_guids,
              ElementsAre(log_.guid()));

  Log next;
  DriveContext ctx2 = context(next);
  q.save(ctx2, e, SaveScope::statuses);
  EXPECT_THAT(database_.load_entry("acme", e.passenger.internal_id)->passenger.log_guids,
              ElementsAre(log_.guid(), next.guid()));
}

// Counts update_entries() calls: save_all must be one durable write.
class CountingDatabase : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  void update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                      SaveScope scope) override {
    ++updates;
    DatabaseWrapper::update_entries(client_id, entries, scope);
  }
  int updates = 0;
};

TEST_F(PrimalQueueTest, SaveAllWritesTheGroupInOneUpdateWithTheLogGuid) {
  CountingDatabase counting(database_);
  PrimalQueue q = queue(&counting);
  DriveContext ctx = context(log_);
  std::vector<QueueEntry> seated = q.seat(ctx, {passenger("E1"), passenger("E2")});
  Log next;
  DriveContext ctx2 = context(next);
  for (QueueEntry& e : seated) e.processor_statuses[0].status = StepStatus::complete;

  q.save_all(ctx2, seated, SaveScope::statuses);

  EXPECT_EQ(counting.updates, 1);
  for (const QueueEntry& e : seated) {
    std::optional<QueueEntry> stored = database_.load_entry("acme", e.passenger.internal_id);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->processor_statuses[0].status, StepStatus::complete);
    EXPECT_THAT(stored->passenger.log_guids, ElementsAre(log_.guid(), next.guid()));
    EXPECT_EQ(e.passenger.log_guids, stored->passenger.log_guids);  // Also on the caller's.
  }
  q.save_all(ctx2, std::span<QueueEntry>(), SaveScope::statuses);
  EXPECT_EQ(counting.updates, 1);  // Nothing to write, no call.
}

// An engine that leaves out attachments whenever a query allows it.
class BareDatabase : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  std::vector<QueueEntry> query_entries(const std::string& client_id,
                                        const EntryQuery& query) override {
    std::vector<QueueEntry> out = DatabaseWrapper::query_entries(client_id, query);
    if (!query.with_attachments && !query.with_attachment_names) {
      for (QueueEntry& e : out) e.passenger.attachments.clear();
    }
    return out;
  }
};

TEST_F(PrimalQueueTest, QueriesGiveStoredStatusesAndTheAttachmentsOfEveryEntry) {
  BareDatabase bare(database_);
  Passenger old = passenger("OLD");
  old.add_attachment("old.txt", AttachmentFormat::text, "from an earlier drive");
  {
    PrimalQueue earlier = queue(&bare);
    DriveContext ctx = context(log_);
    earlier.seat(ctx, {old});
  }
  PrimalQueue q = queue(&bare);
  DriveContext ctx = context(log_);
  Passenger fresh = passenger("NEW");
  fresh.add_attachment("new.bin", AttachmentFormat::binary, std::string("\0\1", 2));
  QueueEntry seated = q.seat(ctx, {fresh})[0];

  std::vector<QueueEntry> due = q.awaiting_processing(ctx, {});
  ASSERT_THAT(ids(due), ElementsAre("OLD", "NEW"));
  EXPECT_EQ(due[0].passenger.attachments,
            database_.load_entry("acme", due[0].passenger.internal_id)->passenger.attachments);
  EXPECT_EQ(due[1], seated);

  // A status flipped by someone else (the web interface) is what counts.
  QueueEntry flipped = seated;
  flipped.processor_statuses[0].status = StepStatus::complete;
  flipped.processor_statuses[1].status = StepStatus::complete;
  database_.update_entries("acme", std::span(&flipped, 1), SaveScope::statuses);
  EXPECT_THAT(ids(q.awaiting_processing(ctx, {})), ElementsAre("OLD"));

  // New attachments written by the queue are the ones given back.
  flipped.passenger.attachments[0].content = "changed";
  q.save(ctx, flipped, SaveScope::everything);
  std::vector<QueueEntry> push = q.awaiting_push(ctx, {});
  ASSERT_EQ(push.size(), 1u);
  EXPECT_EQ(push[0].passenger.attachments[0].content, "changed");
}

// A drive walks what earlier drives left in keyset pages (QueuePage): a
// walk that marks each page notified, or completes its steps, as it goes
// sees every entry once; pulled_before leaves out what the drive pulls.
TEST_F(PrimalQueueTest, PagesWalkEveryEntryOnceWhileTheWalkChangesThem) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  std::vector<Passenger> passengers;
  for (const char* id : {"E1", "E2", "E3", "E4", "E5"}) passengers.push_back(passenger(id));
  // Two entries share a pull time: the internal id orders them.
  passengers[2].pull_datetime = passengers[1].pull_datetime;
  const std::vector<QueueEntry> seated = q.seat(ctx, passengers);
  ASSERT_EQ(seated.size(), 5u);

  QueuePage page;
  page.limit = 2;
  std::vector<std::string> walked;
  for (;;) {
    std::vector<QueueEntry> got = q.unnotified(ctx, "test.puller.a", page);
    if (got.empty()) break;
    EXPECT_LE(got.size(), 2u);
    for (const QueueEntry& e : got) walked.push_back(e.passenger.external_id);
    page.after = EntryCursor::of(got.back());
    q.mark_notified(ctx, got);
  }
  std::vector<std::string> sorted = walked;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_THAT(sorted, ElementsAre("E1", "E2", "E3", "E4", "E5"));
  EXPECT_TRUE(q.unnotified(ctx, "test.puller.a", {}).empty());

  // Processing completes each page's entries: they leave the set walked.
  page = QueuePage{};
  page.limit = 2;
  page.pulled_before = seated[4].passenger.pull_datetime;
  walked.clear();
  for (;;) {
    std::vector<QueueEntry> got = q.awaiting_processing(ctx, page);
    if (got.empty()) break;
    page.after = EntryCursor::of(got.back());
    for (QueueEntry& e : got) {
      walked.push_back(e.passenger.external_id);
      for (StepState& state : e.processor_statuses) state.status = StepStatus::complete;
    }
    q.save_all(ctx, got, SaveScope::statuses);
  }
  sorted = walked;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_THAT(sorted, ElementsAre("E1", "E2", "E3", "E4"));
  EXPECT_THAT(ids(q.awaiting_processing(ctx, {})), ElementsAre("E5"));
}

TEST_F(PrimalQueueTest, PurgesCompleteEntriesPulledBefore) {
  PrimalQueue q = queue();
  DriveContext ctx = context(log_);
  std::vector<QueueEntry> seated = q.seat(ctx, {passenger("E1"), passenger("E2")});
  QueueEntry& e1 = seated[0];
  e1.puller_notified = true;
  e1.complete_all_steps();
  q.save(ctx, e1, SaveScope::statuses);

  EXPECT_EQ(q.purge_complete(TimePoint{}), 0u);
  EXPECT_EQ(q.purge_complete(Clock::now()), 1u);
  EXPECT_EQ(database_.count_entries("acme", EntryQuery{}), 1u);
}

TEST(PrimalQueueSpecTest, NamesThePrimalQueue) {
  EXPECT_EQ(primal_queue_spec().name, "databus.pqueue.primal_queue");
  EXPECT_THROW(PrimalQueue(QueueEnv{}), Error);
}

}  // namespace
}  // namespace databus
