// The floors of the JSON DB and SQLite leave a store their engine reads as
// holding every entry complete, and nothing behind. No timing assertions.
// PostgreSQL's: bench_postgresql_test.cc.
#include "bench/floor.h"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>

#include "bench/bench_test_support.h"

namespace databus::bench {
namespace {

class FloorTest : public ::testing::TestWithParam<const char*> {
 protected:
  FloorOptions options(std::size_t passengers, std::size_t bytes, int processors, int pushers) {
    FloorOptions o;
    o.database = GetParam();
    o.passengers = passengers;
    o.attachment_bytes = bytes;
    o.processors = processors;
    o.pushers = pushers;
    return o;
  }
};

TEST_P(FloorTest, LeavesEveryEntryCompleteAndNothingBehind) {
  PrivateTmpdir tmpdir;
  const FloorResult result = run_floor(options(120, 300, 2, 1));

  // Counted by the engine itself, opened on the store the floor wrote.
  EXPECT_EQ(result.complete, 120u);
  EXPECT_EQ(result.passengers, 120u);
  EXPECT_GT(result.seconds, 0);
  EXPECT_TRUE(std::regex_match(
      result.line(), std::regex("engine=" + std::string(GetParam()) +
                                R"( workload=floor passengers=120 seconds=[0-9]+\.[0-9]{3} )"
                                R"(rate=[0-9]+/s complete=120)")))
      << result.line();
  EXPECT_TRUE(tmpdir.empty());
}

TEST_P(FloorTest, StepsOfTheWorkloadAreStoredToo) {
  EXPECT_EQ(run_floor(options(3, 10, 0, 3)).complete, 3u);
}

INSTANTIATE_TEST_SUITE_P(Engines, FloorTest, ::testing::Values("json_db", "sqlite"));

TEST(FloorTest, EnginesWithoutStorageHaveNoFloor) {
  EXPECT_FALSE(has_floor("memory"));
  EXPECT_TRUE(has_floor("postgresql"));
  FloorOptions options;
  options.database = "memory";
  try {
    run_floor(options);
    FAIL() << "the memory engine has no floor";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("memory"), std::string::npos) << e.what();
  }
  options.database = "sqlite";
  options.passengers = 0;
  EXPECT_THROW(run_floor(options), std::invalid_argument);
}

// The user's sqlite `path` is not the floor's file: the floor writes only
// into its own temporary store.
TEST(FloorTest, SqliteIgnoresTheUsersPath) {
  PrivateTmpdir tmpdir;
  const std::filesystem::path elsewhere =
      std::filesystem::temp_directory_path() / "must-not-exist.sqlite";
  FloorOptions options;
  options.database = "sqlite";
  options.database_arguments = {{"path", elsewhere.string()}};
  options.passengers = 5;
  EXPECT_EQ(run_floor(options).complete, 5u);
  EXPECT_TRUE(tmpdir.empty());
}

}  // namespace
}  // namespace databus::bench
