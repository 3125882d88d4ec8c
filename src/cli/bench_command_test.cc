// End-to-end tests of `databus bench` in a small configuration. No timing
// assertions: the figures belong in docs/performance.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "cli/child_process.h"
#include "test_paths.h"

namespace databus::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class BenchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "databus_bench_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProgramResult databus(std::vector<std::string> args) {
    args.insert(args.begin(), DATABUS_CLI_PATH);
    return run_program(args, dir_, std::chrono::seconds(120), dir_);
  }

  fs::path dir_;
};

TEST_F(BenchCommandTest, W1PrintsOneResultLineAndExitsZero) {
  const ProgramResult result = databus({"bench", "--database", "json_db", "--passengers", "200"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(std::regex_match(
      result.out,
      std::regex("engine=json_db workload=W1 passengers=200 "
                 "seconds=[0-9]+\\.[0-9]{3} rate=[0-9]+/s complete=200 peak_rss_mb=[0-9]+\n")))
      << result.out;
  EXPECT_EQ(result.err, "");  // No progress bar outside a terminal.
}

TEST_F(BenchCommandTest, W2WithPreloadAndSeveralSteps) {
  const ProgramResult result =
      databus({"bench", "--workload", "W2", "--passengers", "20", "--preload", "100",
               "--attachment-bytes", "16", "--processors", "2", "--pushers", "3"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("workload=W2 passengers=20 "));
  EXPECT_THAT(result.out, HasSubstr(" complete=20 peak_rss_mb="));
}

TEST_F(BenchCommandTest, BadFlagsAndUnknownEnginesAreUsageErrors) {
  EXPECT_EQ(databus({"bench", "--workload", "W9"}).exit_code, 2);
  EXPECT_EQ(databus({"bench", "--passengers", "0"}).exit_code, 2);
  ProgramResult preload = databus({"bench", "--preload", "5"});
  EXPECT_EQ(preload.exit_code, 2);
  EXPECT_THAT(preload.err, HasSubstr("--preload"));
  ProgramResult engine = databus({"bench", "--database", "no_such_engine", "--passengers", "1"});
  EXPECT_EQ(engine.exit_code, 2);
  EXPECT_THAT(engine.err, HasSubstr("no_such_engine"));
}

TEST_F(BenchCommandTest, FloorInterleavesWorkloadFloorAndMemory) {
  const ProgramResult result = databus({"bench", "--database", "sqlite", "--passengers", "50",
                                        "--attachment-bytes", "64", "--floor", "--runs", "2"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string w1 = "engine=sqlite workload=W1 passengers=50 [^\n]* complete=50 [^\n]*\n";
  const std::string floor = "engine=sqlite workload=floor passengers=50 [^\n]* complete=50\n";
  const std::string memory = "engine=memory workload=W1 passengers=50 [^\n]* complete=50 [^\n]*\n";
  EXPECT_TRUE(std::regex_match(
      result.out, std::regex(w1 + floor + memory + w1 + floor + memory +
                             "engine=sqlite workload=W1 passengers=50 runs=2 rate_best=[0-9]+/s "
                             "[^\n]* of_floor=[0-9.]+ of_memory=[0-9.]+ [^\n]*\n")))
      << result.out;
  ProgramResult memory_floor = databus({"bench", "--database", "memory", "--floor"});
  EXPECT_EQ(memory_floor.exit_code, 2);
  EXPECT_THAT(memory_floor.err, HasSubstr("no storage floor"));
}

TEST_F(BenchCommandTest, InboxWorkloadChecksEveryAcceptedId) {
  const ProgramResult result = databus({"bench", "--workload", "inbox", "--database", "json_db",
                                        "--senders", "3", "--requests", "30"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("engine=json_db workload=healthz senders=3 requests=30 "));
  EXPECT_THAT(result.out, HasSubstr(" accepted=30 stored=30 missing=0\n"));
  EXPECT_THAT(result.out, HasSubstr("engine=json_db workload=floor passengers=30 "));
  EXPECT_THAT(result.out, HasSubstr("engine=json_db workload=inbox senders=3 of_healthz="));
}

}  // namespace
}  // namespace databus::cli
