// `databus bench --floor`: the interleaved runs and the ratios of the
// comparison line. No timing assertions: the ratios are checked on results
// made here.
#include "bench/floor_comparison.h"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace databus::bench {
namespace {

TEST(FloorComparisonTest, BestAndMedian) {
  EXPECT_EQ(best_of({3, 9, 1}), 9);
  EXPECT_EQ(median_of({3, 9, 1}), 3);
  EXPECT_EQ(median_of({4, 1, 2, 8}), 3);
  EXPECT_EQ(best_of({}), 0);
  EXPECT_EQ(median_of({}), 0);
}

// A complete result (WorkloadResult or FloorResult) of 1,000 passengers.
template <typename Result>
Result of_seconds(double seconds) {
  Result r;
  r.passengers = 1000;
  r.complete = 1000;
  r.seconds = seconds;
  return r;
}
constexpr auto run_of = of_seconds<WorkloadResult>;
constexpr auto floor_of = of_seconds<FloorResult>;

TEST(FloorComparisonTest, LineGivesTheRatiosOfBestsAndOfMedians) {
  FloorComparison c;
  c.engine = "sqlite";
  c.workload = "W1";
  c.passengers = 1000;
  c.runs = {run_of(1.0), run_of(0.5), run_of(2.0)};           // 1000, 2000, 500 /s
  c.floors = {floor_of(0.25), floor_of(0.1), floor_of(0.2)};  // 4000, 10000, 5000 /s
  c.memory = {run_of(0.125), run_of(0.25), run_of(0.2)};      // 8000, 4000, 5000 /s
  EXPECT_EQ(c.line(),
            "engine=sqlite workload=W1 passengers=1000 runs=3 rate_best=2000/s "
            "rate_median=1000/s floor_best=10000/s floor_median=5000/s memory_best=8000/s "
            "memory_median=5000/s of_floor=0.200 of_memory=0.250 of_floor_median=0.200 "
            "of_memory_median=0.200");
  EXPECT_TRUE(c.all_complete());
  c.floors[1].complete = 999;
  EXPECT_FALSE(c.all_complete());
  c.floors[1].complete = 1000;
  c.runs[2].complete = 3;
  EXPECT_FALSE(c.all_complete());
}

TEST(FloorComparisonTest, RunsWorkloadFloorAndMemoryInterleaved) {
  WorkloadOptions options;
  options.database = "json_db";
  options.passengers = 30;
  options.attachment_bytes = 50;
  std::vector<std::string> printed;
  const FloorComparison c =
      run_floor_comparison(options, 2, [&](const std::string& line) { printed.push_back(line); });
  ASSERT_EQ(printed.size(), 6u);
  const std::regex kinds[] = {std::regex("engine=json_db workload=W1 .*complete=30 .*"),
                              std::regex("engine=json_db workload=floor .*complete=30"),
                              std::regex("engine=memory workload=W1 .*complete=30 .*")};
  for (std::size_t i = 0; i < printed.size(); ++i) {
    EXPECT_TRUE(std::regex_match(printed[i], kinds[i % 3])) << printed[i];
  }
  EXPECT_TRUE(c.all_complete());
  EXPECT_EQ(c.runs.size(), 2u);
  EXPECT_EQ(c.floors.size(), 2u);
  EXPECT_EQ(c.memory.size(), 2u);
}

TEST(FloorComparisonTest, RefusesWhatHasNoFloor) {
  const auto ignore = [](const std::string&) {};
  WorkloadOptions options;
  options.passengers = 1;
  options.database = "memory";
  EXPECT_THROW(run_floor_comparison(options, 1, ignore), std::invalid_argument);
  options.database = "json_db";
  options.workload = "W2";
  EXPECT_THROW(run_floor_comparison(options, 1, ignore), std::invalid_argument);
  options.workload = "W1";
  options.pusher = "directory";
  EXPECT_THROW(run_floor_comparison(options, 1, ignore), std::invalid_argument);
  options.pusher = "discard";
  EXPECT_THROW(run_floor_comparison(options, 0, ignore), std::invalid_argument);
}

}  // namespace
}  // namespace databus::bench
