#include "dispatcher/lanes.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus::dispatch {
namespace {

using namespace std::chrono_literals;

const Lanes::Key kKey{"c", "p"};

TEST(LanesTest, OneLanePerKeyMadeOnFirstUse) {
  Lanes lanes;
  EXPECT_EQ(&lanes.of(kKey), &lanes.of(kKey));
  EXPECT_NE(&lanes.of(kKey), &lanes.of({"c", "q"}));
  EXPECT_NE(&lanes.of(kKey), &lanes.of({"d", "p"}));
}

TEST(LanesTest, EnterWaitsForTheHolderThenRefusesNamingTheClientPassenger) {
  Lanes lanes;
  std::unique_lock held(lanes.of(kKey).queue_door);
  try {
    lanes.enter(kKey, 20ms);
    FAIL() << "entered a held lane";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("'p' of client 'c'"), std::string::npos) << e.what();
  }
  // Freed while waiting: entered.
  auto entered = std::async(std::launch::async, [&] { return lanes.enter(kKey, 20s).owns_lock(); });
  std::this_thread::sleep_for(20ms);
  held.unlock();
  EXPECT_TRUE(entered.get());
}

TEST(LanesTest, ClosedClientRefusesAndClosingWaitsForWhatIsInFlight) {
  Lanes lanes;
  std::unique_lock edit = lanes.enter(kKey, 1s);
  std::atomic<bool> closed{false};
  auto closing = std::async(std::launch::async, [&] {
    lanes.close_client("c");
    closed = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(closed.load());  // The edit in flight finishes first.
  edit.unlock();
  closing.get();
  EXPECT_THROW(lanes.enter(kKey, 1s), StateError);
  EXPECT_THROW(lanes.check_open("c"), StateError);
  EXPECT_NO_THROW(lanes.check_open("d"));  // Other clients are not affected.
  EXPECT_THROW(lanes.close_client("c"), StateError);
  lanes.open_client("c");
  EXPECT_TRUE(lanes.enter(kKey, 1s).owns_lock());
}

TEST(LanesTest, InboxLogsAreTakenWhenOldEnough) {
  Lanes lanes;
  const TimePoint t0 = Clock::now();
  Lane& lane = lanes.of(kKey);
  lane.inbox_log.emplace();
  lane.inbox_log_opened = t0;
  EXPECT_TRUE(lanes.take_inbox_logs(t0).empty());  // Not opened before t0.
  auto logs = lanes.take_inbox_logs(t0 + 1s);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].first, "c");
  EXPECT_FALSE(lane.inbox_log.has_value());
  EXPECT_TRUE(lanes.take_inbox_logs(TimePoint::max()).empty());
}

}  // namespace
}  // namespace databus::dispatch
