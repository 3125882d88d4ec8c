#include "web/sessions.h"

#include <gtest/gtest.h>

namespace databus::web {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(SessionStore, CreatesDistinctRandomSessions) {
  SessionStore store(minutes(30), minutes(600));
  const Session a = store.create("demo", "demo", "tok");
  const Session b = store.create("demo", "demo", "tok");
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.csrf_token, b.csrf_token);
  EXPECT_EQ(a.id.size(), 64u);
  ASSERT_TRUE(store.find(a.id).has_value());
  EXPECT_EQ(store.find(a.id)->username, "demo");
  EXPECT_FALSE(store.find("nope").has_value());
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
}

TEST(SessionStore, FlashIsShownOnce) {
  SessionStore store(minutes(30), minutes(600));
  const Session a = store.create("demo", "a", "");
  store.set_flash(a.id, "saved");
  EXPECT_EQ(store.take_flash(a.id), "saved");
  EXPECT_EQ(store.take_flash(a.id), "");
}

}  // namespace
}  // namespace databus::web
