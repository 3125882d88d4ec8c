// peek_first(): the bounded peek of the built-in pullers.
#include "components/peek.h"

#include <gtest/gtest.h>

#include "databus/log.h"

namespace databus {
namespace {

// A source of 1,000 passengers that counts how many it has made.
class CountingPuller : public Puller {
 public:
  void pull_into(DriveContext& ctx, PassengerSink& sink) override {
    for (int i = 1; i <= 1000 && !sink.done(); ++i) {
      ++made;
      sink.put(ctx.new_passenger("item-" + std::to_string(i), "test", "test.puller"));
    }
  }
  void notify(DriveContext&, const std::vector<Passenger>&) override { ++notified; }

  int made = 0;
  int notified = 0;
};

TEST(PeekFirstTest, StopsTheSourceAtTheLimitAndNotifiesNothing) {
  ClientPassenger passenger;
  passenger.name = "test.passenger";
  Log log;
  DriveContext ctx("acme", passenger, log, [] { return Passenger(); });
  CountingPuller puller;

  const std::vector<Passenger> first = peek_first(puller, ctx);

  ASSERT_EQ(first.size(), kPeekLimit);
  EXPECT_EQ(first.front().external_id, "item-1");
  EXPECT_EQ(first.back().external_id, "item-" + std::to_string(kPeekLimit));
  EXPECT_EQ(puller.made, static_cast<int>(kPeekLimit));  // Not read past the limit.
  EXPECT_EQ(puller.notified, 0);
  EXPECT_EQ(peek_first(puller, ctx, 3).size(), 3u);
}

}  // namespace
}  // namespace databus
