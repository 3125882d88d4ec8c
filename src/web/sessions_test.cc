#include "web/sessions.h"

#include <gtest/gtest.h>

#include "storage/memory/memory_session_storage.h"
#include "web/credentials.h"

namespace databus::web {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// A memory storage that counts writes of last_seen and sweeps, and keeps
// every key it was given.
class CountingStorage : public MemorySessionStorage {
 public:
  void put(const SessionRecord& r) override {
    keys.push_back(r.key);
    stored.push_back(r);
    MemorySessionStorage::put(r);
  }
  void touch(const std::string& key, TimePoint when) override {
    ++touches;
    MemorySessionStorage::touch(key, when);
  }
  std::size_t sweep(TimePoint seen_before, TimePoint created_before) override {
    ++sweeps;
    return MemorySessionStorage::sweep(seen_before, created_before);
  }
  std::vector<std::string> keys;
  std::vector<SessionRecord> stored;
  int touches = 0;
  int sweeps = 0;
};

TEST(SessionStore, CreatesDistinctRandomSessions) {
  SessionStore store(minutes(30), minutes(600));
  const Session a = store.create("demo", "demo", "tok");
  const Session b = store.create("demo", "demo", "tok");
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.csrf_token, b.csrf_token);
  EXPECT_EQ(a.id.size(), 64u);
  ASSERT_TRUE(store.find(a.id).has_value());
  EXPECT_EQ(store.find(a.id)->username, "demo");
  EXPECT_EQ(store.find(a.id)->csrf_token, a.csrf_token);
  EXPECT_EQ(store.find(a.id)->token_digest, sha256_hex("tok"));
  EXPECT_FALSE(store.find("nope").has_value());
  EXPECT_FALSE(store.find("").has_value());
}

TEST(SessionStore, ExpiresWhenIdleAndAfterTheAbsoluteLifetime) {
  SessionStore store(minutes(30), minutes(60));
  const TimePoint t0 = Clock::now();
  const Session idle = store.create("demo", "a", "", t0);
  EXPECT_FALSE(store.find(idle.id, t0 + minutes(31)).has_value());

  const Session busy = store.create("demo", "b", "", t0);
  EXPECT_TRUE(store.find(busy.id, t0 + minutes(25)).has_value());
  EXPECT_TRUE(store.find(busy.id, t0 + minutes(50)).has_value());
  EXPECT_FALSE(store.find(busy.id, t0 + minutes(61)).has_value());
}

TEST(SessionStore, RemoveUserEndsOnlyThatUsersSessions) {
  SessionStore store(minutes(30), minutes(600));
  const Session a = store.create("demo", "a", "");
  const Session b = store.create("demo", "b", "");
  const Session other = store.create("root", "a", "");
  store.remove_user("demo", "a");
  EXPECT_FALSE(store.find(a.id).has_value());
  EXPECT_TRUE(store.find(b.id).has_value());
  EXPECT_TRUE(store.find(other.id).has_value());
  store.remove(b.id);
  EXPECT_FALSE(store.find(b.id).has_value());
}

TEST(SessionStore, FlashIsShownOnce) {
  SessionStore store(minutes(30), minutes(600));
  const Session a = store.create("demo", "a", "");
  store.set_flash(a.id, "saved");
  EXPECT_EQ(store.take_flash(a.id), "saved");
  EXPECT_EQ(store.take_flash(a.id), "");
}

// A database reader must not be able to use a session or a token: the
// storage gets digests of both.
TEST(SessionStore, TheStorageSeesOnlyDigestsOfIdsAndTokens) {
  CountingStorage storage;
  SessionStore store(minutes(30), minutes(600), &storage);
  const Session s = store.create("demo", "ann", "ann-token");
  ASSERT_EQ(storage.stored.size(), 1u);
  const SessionRecord& r = storage.stored[0];
  EXPECT_EQ(r.key, sha256_hex(s.id));
  EXPECT_EQ(r.token_digest, sha256_hex("ann-token"));
  EXPECT_EQ(r.csrf_token, s.csrf_token);
  EXPECT_EQ(r.username, "ann");
  EXPECT_FALSE(storage.find(s.id).has_value());
}

// Two stores on one storage are two nodes sharing a database.
TEST(SessionStore, StoresOnOneStorageShareSessionsFlashesAndTheSecret) {
  MemorySessionStorage shared;
  SessionStore node_a(minutes(30), minutes(600), &shared);
  SessionStore node_b(minutes(30), minutes(600), &shared);
  const Session s = node_a.create("demo", "ann", "tok");
  ASSERT_TRUE(node_b.find(s.id).has_value());
  EXPECT_EQ(node_b.find(s.id)->csrf_token, s.csrf_token);
  node_b.set_flash(s.id, "saved");
  EXPECT_EQ(node_a.take_flash(s.id), "saved");
  EXPECT_EQ(node_a.shared_secret(), node_b.shared_secret());
  EXPECT_EQ(node_a.shared_secret().size(), 64u);
  node_b.remove(s.id);
  EXPECT_FALSE(node_a.find(s.id).has_value());

  // Stores of their own (one process each) share nothing.
  SessionStore alone_a(minutes(30), minutes(600));
  SessionStore alone_b(minutes(30), minutes(600));
  EXPECT_FALSE(alone_b.find(alone_a.create("demo", "ann", "tok").id).has_value());
  EXPECT_NE(alone_a.shared_secret(), alone_b.shared_secret());
}

TEST(SessionStore, LastSeenIsWrittenAtMostOncePerTouchInterval) {
  CountingStorage storage;
  SessionStore store(minutes(30), minutes(600), &storage);
  const TimePoint t0 = Clock::now();
  const Session s = store.create("demo", "ann", "", t0);
  for (int i = 1; i <= 59; ++i) ASSERT_TRUE(store.find(s.id, t0 + seconds(i)).has_value());
  EXPECT_EQ(storage.touches, 0);
  ASSERT_TRUE(store.find(s.id, t0 + seconds(60)).has_value());
  EXPECT_EQ(storage.touches, 1);
  ASSERT_TRUE(store.find(s.id, t0 + seconds(90)).has_value());
  EXPECT_EQ(storage.touches, 1);
  // The idle time counts from the last write: the request at t0 + 90 s was
  // not written, so the session ends 30 minutes after t0 + 60 s.
  EXPECT_FALSE(store.find(s.id, t0 + seconds(61) + minutes(30)).has_value());
  EXPECT_EQ(storage.touches, 1);
}

TEST(SessionStore, ExpiredSessionsAreSweptAtMostOncePerSweepInterval) {
  CountingStorage storage;
  SessionStore store(minutes(30), minutes(600), &storage);
  const TimePoint t0 = Clock::now();
  store.create("demo", "old", "", t0);
  EXPECT_EQ(storage.sweeps, 1);
  store.create("demo", "b", "", t0 + seconds(59));
  EXPECT_EQ(storage.sweeps, 1);
  // Abandoned sessions go with the first sweep after they expired, without
  // anybody asking for them.
  store.create("demo", "c", "", t0 + minutes(31));
  EXPECT_EQ(storage.sweeps, 2);
  EXPECT_FALSE(storage.find(storage.keys[0]).has_value());
  EXPECT_FALSE(storage.find(storage.keys[1]).has_value());
  EXPECT_TRUE(storage.find(storage.keys[2]).has_value());
}

}  // namespace
}  // namespace databus::web
