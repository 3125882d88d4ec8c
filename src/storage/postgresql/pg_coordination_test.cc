// The PostgreSQL engine's coordination (pg_coordination.h): two engines on
// one schema stand for two nodes.
#include "storage/postgresql/pg_coordination.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/postgresql/pg_database.h"
#include "storage/postgresql/pg_test_server.h"

namespace databus {
namespace {

using namespace std::chrono_literals;
using testing_support::pg_test_arguments;
using testing_support::pg_test_conninfo;

constexpr char kClient[] = "c1";
constexpr char kPassenger[] = "p1";

QueueEntry entry(const std::string& external_id) {
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = external_id;
  p.source_system = "S";
  p.passenger_module = kPassenger;
  p.puller_module = "puller";
  p.pull_datetime = Clock::now();
  return QueueEntry::seat(std::move(p), {}, {"pusher"});
}

class PgCoordinationTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> conninfo = pg_test_conninfo();
    if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
    const DatabaseArguments args = pg_test_arguments(*conninfo, "coord_" + new_uuid().substr(24));
    a_ = open_postgresql_database({"", args});
    b_ = open_postgresql_database({"", args});
    ca_ = a_->coordination();
    cb_ = b_->coordination();
    ASSERT_NE(ca_, nullptr);
    ASSERT_NE(cb_, nullptr);
    ca_->configure({{kClient, {{kPassenger, 1h}}}}, {kClient});
  }

  std::unique_ptr<Database> a_, b_;
  Coordination* ca_ = nullptr;
  Coordination* cb_ = nullptr;
};

TEST_F(PgCoordinationTest, ADuePassengerIsClaimedByOneNodeOnly) {
  std::vector<Lease> got_a = ca_->claim_due("A", 10, 10s);
  std::vector<Lease> got_b = cb_->claim_due("B", 10, 10s);
  ASSERT_EQ(got_a.size(), 1u);
  EXPECT_TRUE(got_b.empty());
  EXPECT_EQ(got_a[0].client_id, kClient);
  EXPECT_EQ(got_a[0].passenger, kPassenger);
  EXPECT_EQ(got_a[0].holder, "A");
  EXPECT_EQ(got_a[0].token, 1);
  EXPECT_FALSE(cb_->claim("B", kClient, kPassenger, 1h, 10s, true));
  // Released after its drive: next due an hour after it started.
  ca_->release(got_a[0]);
  EXPECT_TRUE(cb_->claim_due("B", 10, 10s).empty());
  const std::vector<LeaseInfo> rows = cb_->leases();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].holder, "");
  ASSERT_TRUE(rows[0].last_start && rows[0].last_end);
  EXPECT_EQ(rows[0].next_due - *rows[0].last_start, std::chrono::hours(1));
}

TEST_F(PgCoordinationTest, AnExpiredLeaseIsTakenOverAtOnceWithAGreaterToken) {
  std::vector<Lease> got_a = ca_->claim_due("A", 10, 200ms);
  ASSERT_EQ(got_a.size(), 1u);
  EXPECT_TRUE(cb_->claim_due("B", 10, 10s).empty());
  std::this_thread::sleep_for(300ms);
  // Not due (an hour), but its holder's lease expired: its drive was cut short.
  std::vector<Lease> got_b = cb_->claim_due("B", 10, 10s);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_b[0].holder, "B");
  EXPECT_GT(got_b[0].token, got_a[0].token);
  // The deposed holder can neither renew nor release it.
  EXPECT_FALSE(ca_->renew(got_a[0], 10s));
  ca_->release(got_a[0]);
  EXPECT_EQ(cb_->leases()[0].holder, "B");
}

TEST_F(PgCoordinationTest, RenewalKeepsTheLeasePastItsFirstPeriod) {
  std::optional<Lease> lease = ca_->claim("A", kClient, kPassenger, 1h, 300ms, true);
  ASSERT_TRUE(lease);
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(150ms);
    ASSERT_TRUE(ca_->renew(*lease, 300ms)) << "renewal " << i;
  }
  EXPECT_FALSE(cb_->claim("B", kClient, kPassenger, 1h, 10s, true));
}

TEST_F(PgCoordinationTest, AFencedWriteOfALostLeaseFailsAndWritesNothing) {
  std::optional<Lease> lease = ca_->claim("A", kClient, kPassenger, 1h, 300ms, true);
  ASSERT_TRUE(lease);
  std::unique_ptr<Database> fenced = ca_->fenced(*a_, *lease);
  const QueueEntry first = entry("before");
  fenced->insert_entries(kClient, std::span<const QueueEntry>(&first, 1));
  EXPECT_TRUE(b_->load_entry(kClient, first.passenger.internal_id));

  std::this_thread::sleep_for(400ms);
  ASSERT_TRUE(cb_->claim("B", kClient, kPassenger, 1h, 10s, true));
  const QueueEntry late = entry("after");
  EXPECT_THROW(fenced->insert_entries(kClient, std::span<const QueueEntry>(&late, 1)),
               LeaseLostError);
  EXPECT_THROW(fenced->seat_entries(kClient, std::span<const QueueEntry>(&late, 1)),
               LeaseLostError);
  QueueEntry changed = first;
  changed.puller_notified = true;
  EXPECT_THROW(fenced->update_entries(kClient, std::span<const QueueEntry>(&changed, 1),
                                      SaveScope::statuses),
               LeaseLostError);
  EXPECT_FALSE(b_->load_entry(kClient, late.passenger.internal_id));
  EXPECT_FALSE(b_->load_entry(kClient, first.passenger.internal_id)->puller_notified);
  // Reads and logs pass through.
  EXPECT_TRUE(fenced->load_entry(kClient, first.passenger.internal_id));
}

// Client passenger state documents (the dispatcher's bookkeeping) are
// written behind the lease like the queue.
TEST_F(PgCoordinationTest, AFencedStateWriteOfALostLeaseFailsAndWritesNothing) {
  std::optional<Lease> lease = ca_->claim("A", kClient, kPassenger, 1h, 300ms, true);
  ASSERT_TRUE(lease);
  std::unique_ptr<Database> fenced = ca_->fenced(*a_, *lease);
  fenced->write_passenger_state(kClient, kPassenger, "puller_health", "A's");
  fenced->write_passenger_state_unsynced(kClient, kPassenger, "in_flight", "[1]");
  EXPECT_EQ(b_->read_passenger_state(kClient, kPassenger, "puller_health"), "A's");

  std::this_thread::sleep_for(400ms);
  ASSERT_TRUE(cb_->claim("B", kClient, kPassenger, 1h, 10s, true));
  EXPECT_THROW(fenced->write_passenger_state(kClient, kPassenger, "puller_health", "late"),
               LeaseLostError);
  EXPECT_THROW(fenced->write_passenger_state(kClient, kPassenger, "in_flight", std::nullopt),
               LeaseLostError);
  EXPECT_THROW(fenced->write_passenger_state(kClient, kPassenger, "new", "late"), LeaseLostError);
  EXPECT_THROW(fenced->write_passenger_state_unsynced(kClient, kPassenger, "running_steps", "{}"),
               LeaseLostError);
  EXPECT_EQ(b_->list_passenger_state(kClient, kPassenger),
            (std::map<std::string, std::string>{{"in_flight", "[1]"}, {"puller_health", "A's"}}));
  // Reads pass through; the unfenced engine writes as before.
  EXPECT_EQ(fenced->read_passenger_state(kClient, kPassenger, "in_flight"), "[1]");
  a_->write_passenger_state(kClient, kPassenger, "in_flight", std::nullopt);
  EXPECT_EQ(b_->read_passenger_state(kClient, kPassenger, "in_flight"), std::nullopt);
}

TEST_F(PgCoordinationTest, AnExpiredButNotTakenLeaseFencesToo) {
  std::optional<Lease> lease = ca_->claim("A", kClient, kPassenger, 1h, 200ms, true);
  ASSERT_TRUE(lease);
  std::unique_ptr<Database> fenced = ca_->fenced(*a_, *lease);
  std::this_thread::sleep_for(300ms);
  const QueueEntry late = entry("late");
  EXPECT_THROW(fenced->insert_entries(kClient, std::span<const QueueEntry>(&late, 1)),
               LeaseLostError);
}

// Seats of one key from two nodes at once: the engine lets one insert it.
TEST_F(PgCoordinationTest, ConcurrentSeatsOfOneKeyFromTwoNodesSeatItOnce) {
  constexpr int kKeys = 100;
  std::atomic<int> inserted{0};
  auto seat_all = [&](Database& db) {
    for (int i = 0; i < kKeys; ++i) {
      const QueueEntry e = entry("k" + std::to_string(i));
      if (db.seat_entries(kClient, std::span<const QueueEntry>(&e, 1)).empty()) ++inserted;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back(seat_all, t % 2 == 0 ? std::ref(*a_) : std::ref(*b_));
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(inserted.load(), kKeys);
  EntryQuery all;
  all.passenger_module = kPassenger;
  EXPECT_EQ(a_->count_entries(kClient, all), static_cast<std::size_t>(kKeys));
}

TEST_F(PgCoordinationTest, SeatEntriesSkipsStoredAndRepeatedKeys) {
  const QueueEntry stored = entry("x");
  a_->insert_entries(kClient, std::span<const QueueEntry>(&stored, 1));
  const std::vector<QueueEntry> batch = {entry("y"), entry("x"), entry("z"), entry("y")};
  EXPECT_EQ(b_->seat_entries(kClient, batch), (std::vector<std::size_t>{1, 3}));
  EXPECT_TRUE(a_->load_entry(kClient, batch[0].passenger.internal_id));
  EXPECT_TRUE(a_->load_entry(kClient, batch[2].passenger.internal_id));
  EXPECT_FALSE(a_->load_entry(kClient, batch[1].passenger.internal_id));
}

TEST_F(PgCoordinationTest, ExpediteDuringADriveMakesItDueWhenReleased) {
  std::optional<Lease> lease = ca_->claim("A", kClient, kPassenger, 1h, 10s, true);
  ASSERT_TRUE(lease);
  cb_->expedite(kClient, kPassenger);
  EXPECT_TRUE(cb_->claim_due("B", 10, 10s).empty());  // Held.
  ca_->release(*lease);
  std::vector<Lease> next = cb_->claim_due("B", 10, 10s);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].token, lease->token + 1);
}

TEST_F(PgCoordinationTest, AClaimForAnActionLeavesTheScheduleAlone) {
  std::vector<Lease> drive = ca_->claim_due("A", 10, 10s);
  ASSERT_EQ(drive.size(), 1u);
  ca_->release(drive[0]);
  const LeaseInfo before = ca_->leases()[0];
  std::optional<Lease> edit = cb_->claim("B", kClient, kPassenger, 1h, 10s, false);
  ASSERT_TRUE(edit);
  EXPECT_FALSE(edit->drive);
  cb_->release(*edit);
  const LeaseInfo after = ca_->leases()[0];
  EXPECT_EQ(after.next_due, before.next_due);
  EXPECT_EQ(after.last_start, before.last_start);
  EXPECT_GT(after.token, before.token);
}

TEST_F(PgCoordinationTest, ConfigureFollowsTheConfiguration) {
  // A new passenger is due at once; a removed free one is forgotten; the
  // rows of a client whose configuration cannot be read are kept.
  ca_->configure({{kClient, {{"p2", 1min}}}, {"c2", {{"q", 1min}}}}, {kClient, "c2"});
  std::vector<LeaseInfo> rows = cb_->leases();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].passenger, "p2");
  EXPECT_EQ(rows[1].client_id, "c2");
  ca_->configure({{kClient, {{"p2", 2min}}}}, {kClient, "c2"});
  rows = cb_->leases();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].interval, std::chrono::minutes(2));
  ca_->configure({{kClient, {{"p2", 2min}}}}, {kClient});
  EXPECT_EQ(cb_->leases().size(), 1u);
}

TEST_F(PgCoordinationTest, HeartbeatsListNodesAndCarryOrders) {
  NodeInfo a{"A", "host-a", 11, "1.0", Clock::now()};
  NodeInfo b{"B", "host-b", 22, "1.0", Clock::now()};
  EXPECT_FALSE(ca_->heartbeat(a).paused);
  EXPECT_FALSE(cb_->heartbeat(b).paused);
  std::vector<NodeInfo> nodes = ca_->nodes(1min);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[1].host, "host-b");
  EXPECT_EQ(nodes[1].pid, 22);

  ca_->set_paused("B", true);
  EXPECT_FALSE(ca_->heartbeat(a).paused);
  EXPECT_TRUE(cb_->heartbeat(b).paused);
  ca_->set_paused("", true);
  EXPECT_TRUE(ca_->heartbeat(a).paused);
  ca_->set_paused("", false);  // Resumes B too.
  EXPECT_FALSE(cb_->heartbeat(b).paused);
  EXPECT_THROW(ca_->set_paused("nobody", true), NotFoundError);

  ca_->order_shutdown("A");
  EXPECT_TRUE(ca_->heartbeat(a).shutdown);
  EXPECT_FALSE(cb_->heartbeat(b).shutdown);
  ca_->order_shutdown("");
  EXPECT_TRUE(cb_->heartbeat(b).shutdown);

  // A node that left is gone, and so are its leases.
  ASSERT_EQ(cb_->claim_due("B", 10, 10s).size(), 1u);
  cb_->leave("B");
  EXPECT_EQ(ca_->nodes(1min).size(), 1u);
  EXPECT_EQ(ca_->leases()[0].holder, "");
}

}  // namespace
}  // namespace databus
