#include "storage/session_storage_conformance.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace databus {

// Engine tests link the suite whether or not their engine offers a session
// storage; only those that do instantiate it.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SessionStorageConformanceTest);

void SessionStorageConformanceTest::SetUp() {
  nodes_ = GetParam().open();
  if (IsSkipped()) return;
  ASSERT_NE(nodes_.a, nullptr);
  ASSERT_NE(nodes_.b, nullptr);
}

namespace {

using std::chrono::microseconds;
using std::chrono::minutes;

// A time as storages give it back: whole microseconds.
TimePoint micros(TimePoint t) { return std::chrono::time_point_cast<microseconds>(t); }

SessionRecord record(const std::string& key, const std::string& username, TimePoint t) {
  SessionRecord r;
  r.key = key;
  r.csrf_token = "csrf-" + key;
  r.client_id = "demo";
  r.username = username;
  r.token_digest = "digest-" + username;
  r.created = t;
  r.last_seen = t;
  return r;
}

TEST_P(SessionStorageConformanceTest, ARecordPutOnOneNodeIsFoundOnTheOther) {
  const TimePoint t0 = micros(Clock::now());
  SessionRecord r = record("k1", "ann", t0 - minutes(5));
  r.last_seen = t0 + microseconds(1) + std::chrono::nanoseconds(999);
  r.flash = "saved";
  a().put(r);

  const std::optional<SessionRecord> found = b().find("k1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->key, "k1");
  EXPECT_EQ(found->csrf_token, "csrf-k1");
  EXPECT_EQ(found->client_id, "demo");
  EXPECT_EQ(found->username, "ann");
  EXPECT_EQ(found->token_digest, "digest-ann");
  EXPECT_EQ(found->created, t0 - minutes(5));
  EXPECT_EQ(found->last_seen, t0 + microseconds(1));  // Rounded down.
  EXPECT_EQ(found->flash, "saved");
  EXPECT_FALSE(b().find("k2").has_value());
  EXPECT_FALSE(b().find("").has_value());
}

TEST_P(SessionStorageConformanceTest, NamesAndMessagesKeepEveryByte) {
  // A flash message may quote what a user typed; user names come from
  // configuration files.
  std::string odd = "caf\xc3\xa9 <b>\"x\"</b>\n\t";
  odd.push_back('\0');
  odd += "\xff\xfe end %00 \xee\x80\x80";  // Invalid UTF-8, a '%' and U+E000.
  SessionRecord r = record("k1", odd, Clock::now());
  r.flash = odd;
  a().put(r);
  EXPECT_EQ(b().find("k1")->username, odd);
  EXPECT_EQ(b().take_flash("k1"), odd);
  a().set_flash("k1", odd + "!");
  EXPECT_EQ(b().take_flash("k1"), odd + "!");
  a().remove_user("demo", odd);
  EXPECT_FALSE(b().find("k1").has_value());
}

TEST_P(SessionStorageConformanceTest, TouchMovesLastSeenOnlyForward) {
  const TimePoint t0 = micros(Clock::now());
  a().put(record("k1", "ann", t0));
  b().touch("k1", t0 + minutes(2));
  EXPECT_EQ(a().find("k1")->last_seen, t0 + minutes(2));
  a().touch("k1", t0 + minutes(1));  // A node that was slower to write.
  EXPECT_EQ(b().find("k1")->last_seen, t0 + minutes(2));
  EXPECT_EQ(b().find("k1")->created, t0);
  b().touch("unknown", t0);
  EXPECT_FALSE(a().find("unknown").has_value());
}

TEST_P(SessionStorageConformanceTest, RemoveAndRemoveUserWorkFromEitherNode) {
  const TimePoint t0 = Clock::now();
  a().put(record("ann1", "ann", t0));
  a().put(record("ann2", "ann", t0));
  a().put(record("bob1", "bob", t0));
  SessionRecord other_client = record("ann_root", "ann", t0);
  other_client.client_id = "root";
  a().put(other_client);
  a().put(record("anon", "", t0));

  b().remove("bob1");
  b().remove("never-stored");
  EXPECT_FALSE(a().find("bob1").has_value());
  b().remove_user("demo", "ann");
  EXPECT_FALSE(a().find("ann1").has_value());
  EXPECT_FALSE(a().find("ann2").has_value());
  EXPECT_TRUE(a().find("ann_root").has_value());
  EXPECT_TRUE(a().find("anon").has_value());
  b().remove_user("demo", "");
  EXPECT_FALSE(a().find("anon").has_value());
}

TEST_P(SessionStorageConformanceTest, AFlashSetOnOneNodeIsTakenOnceOnTheOther) {
  a().put(record("k1", "ann", Clock::now()));
  a().set_flash("k1", "first");
  a().set_flash("k1", "saved");
  EXPECT_EQ(b().take_flash("k1"), "saved");
  EXPECT_EQ(a().take_flash("k1"), "");
  EXPECT_EQ(b().take_flash("k1"), "");
  b().set_flash("unknown", "lost");
  EXPECT_EQ(a().take_flash("unknown"), "");
  EXPECT_FALSE(a().find("unknown").has_value());
}

TEST_P(SessionStorageConformanceTest, ConcurrentTakesGetAFlashOnce) {
  a().put(record("k1", "ann", Clock::now()));
  for (int round = 0; round < 20; ++round) {
    a().set_flash("k1", "message " + std::to_string(round));
    std::atomic<int> got{0};
    std::vector<std::thread> takers;
    for (int i = 0; i < 6; ++i) {
      takers.emplace_back([&, i] {
        SessionStorage& node = i % 2 == 0 ? a() : b();
        if (node.take_flash("k1") == "message " + std::to_string(round)) ++got;
      });
    }
    for (std::thread& t : takers) t.join();
    EXPECT_EQ(got.load(), 1) << "round " << round;
  }
}

TEST_P(SessionStorageConformanceTest, SweepRemovesIdleAndOldRecordsOnly) {
  const TimePoint t0 = micros(Clock::now());
  SessionRecord idle = record("idle", "a", t0 - minutes(40));
  a().put(idle);
  SessionRecord old = record("old", "b", t0 - minutes(700));
  old.last_seen = t0 - minutes(1);
  a().put(old);
  SessionRecord busy = record("busy", "c", t0 - minutes(100));
  busy.last_seen = t0 - minutes(2);
  a().put(busy);
  // Exactly on a bound is not before it.
  a().put(record("edge", "d", t0 - minutes(30)));

  EXPECT_EQ(b().sweep(t0 - minutes(30), t0 - minutes(600)), 2u);
  EXPECT_FALSE(a().find("idle").has_value());
  EXPECT_FALSE(a().find("old").has_value());
  EXPECT_TRUE(a().find("busy").has_value());
  EXPECT_TRUE(a().find("edge").has_value());
  EXPECT_EQ(b().sweep(t0 - minutes(30), t0 - minutes(600)), 0u);
}

TEST_P(SessionStorageConformanceTest, TheSharedSecretIsTheFirstOneGivenOnEveryNode) {
  EXPECT_EQ(a().shared_secret("first-secret"), "first-secret");
  EXPECT_EQ(b().shared_secret("second-secret"), "first-secret");
  EXPECT_EQ(a().shared_secret("third-secret"), "first-secret");
}

}  // namespace
}  // namespace databus
