#include "bench/synthetic_components.h"

#include <gtest/gtest.h>

#include "databus/log.h"

namespace databus::bench {
namespace {

TEST(SyntheticComponentsTest, TextHasTheAskedSizeAndDiffersPerPassenger) {
  EXPECT_EQ(synthetic_text(7, 1024).size(), 1024u);
  EXPECT_EQ(synthetic_text(7, 0), "");
  EXPECT_EQ(synthetic_text(7, 5).size(), 5u);
  EXPECT_NE(synthetic_text(1, 64), synthetic_text(2, 64));
}

TEST(SyntheticComponentsTest, ThePullerYieldsUntilNotified) {
  Registry registry;
  auto source = std::make_shared<SyntheticSource>();
  source->passengers = 3;
  source->attachment_bytes = 10;
  register_synthetic_components(registry, source, 2, 1);
  ASSERT_NE(registry.find(ComponentKind::processor, bench_processor(2)), nullptr);
  ASSERT_NE(registry.find(ComponentKind::pusher, bench_pusher(1)), nullptr);
  EXPECT_EQ(registry.find(ComponentKind::pusher, bench_pusher(2)), nullptr);

  ClientPassenger type;
  type.name = kBenchPassenger;
  Log log;
  DriveContext ctx("c", type, log, [&] { return registry.make_passenger(kBenchPassenger); });
  ComponentEnv env;
  env.module = kBenchPuller;
  auto puller = registry.make_puller(ComponentRef{kBenchPuller}, env);

  std::vector<Passenger> first = puller->pull(ctx);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].source_system, kBenchSourceSystem);
  EXPECT_EQ(first[0].external_id.rfind(kPulledPrefix, 0), 0u);
  ASSERT_EQ(first[0].attachments.size(), 1u);
  EXPECT_EQ(first[0].attachments[0].content.size(), 10u);
  EXPECT_LT(first[0].external_id, first[1].external_id);

  puller->notify(ctx, {first[0], first[1]});
  std::vector<Passenger> second = puller->pull(ctx);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].external_id, first[2].external_id);
}

}  // namespace
}  // namespace databus::bench
