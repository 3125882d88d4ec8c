// The inbox workload at a small count on the JSON DB, SQLite and the memory
// engine: every request answered 202, every accepted id stored once. No
// timing assertions. PostgreSQL's: bench_postgresql_test.cc.
#include "bench/inbox_workload.h"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>

#include "bench/bench_test_support.h"

namespace databus::bench {
namespace {

class InboxWorkloadTest : public ::testing::TestWithParam<const char*> {};

TEST_P(InboxWorkloadTest, EveryAcceptedIdIsStoredOnce) {
  PrivateTmpdir tmpdir;
  InboxOptions options;
  options.database = GetParam();
  options.senders = 4;
  options.requests = 60;

  const InboxResult result = run_inbox_workload(options);

  EXPECT_EQ(result.healthz.requests(), 60u);
  EXPECT_EQ(result.healthz.count(200), 60u);
  EXPECT_EQ(result.inbox.requests(), 60u);
  EXPECT_EQ(result.accepted, 60u);
  EXPECT_EQ(result.stored, 60u);
  EXPECT_EQ(result.missing, 0u);
  EXPECT_TRUE(result.consistent());
  const std::vector<std::string> lines = result.lines();
  const std::string engine = GetParam();
  EXPECT_TRUE(std::regex_match(lines.at(0), std::regex("engine=" + engine +
                                                       " workload=healthz senders=4 requests=60 "
                                                       ".* p50_ms=[0-9.]+ p99_ms=[0-9.]+ ok=60")))
      << lines.at(0);
  EXPECT_TRUE(std::regex_match(
      lines.at(1), std::regex("engine=" + engine +
                              " workload=inbox senders=4 requests=60 .* accepted=60 stored=60 "
                              "missing=0")))
      << lines.at(1);
  if (has_floor(engine)) {
    ASSERT_TRUE(result.floor);
    EXPECT_EQ(result.floor->complete, 60u);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_TRUE(std::regex_match(
        lines.at(3), std::regex("engine=" + engine +
                                " workload=inbox senders=4 of_healthz=[0-9.]+ of_floor=[0-9.]+")))
        << lines.at(3);
  } else {
    EXPECT_FALSE(result.floor);
    ASSERT_EQ(lines.size(), 3u);
  }
  EXPECT_TRUE(tmpdir.empty());
}

INSTANTIATE_TEST_SUITE_P(Engines, InboxWorkloadTest,
                         ::testing::Values("json_db", "sqlite", "memory"));

// The check is a behaviour check: a store that lost an accepted id, or
// holds one the inbox did not accept, is not consistent.
TEST(InboxWorkloadTest, AMismatchIsNotConsistent) {
  InboxResult result;
  result.inbox.outcomes = {{0, 202}, {1, 202}};
  result.accepted = 2;
  result.stored = 2;
  EXPECT_TRUE(result.consistent());
  result.missing = 1;
  EXPECT_FALSE(result.consistent());
  result.missing = 0;
  result.stored = 3;
  EXPECT_FALSE(result.consistent());
  result.stored = 2;
  result.inbox.outcomes[1].second = 500;
  EXPECT_FALSE(result.consistent());
}

TEST(InboxWorkloadTest, RejectsBadOptions) {
  InboxOptions options;
  options.senders = 0;
  EXPECT_THROW(run_inbox_workload(options), std::invalid_argument);
  options.senders = 1;
  options.requests = 0;
  options.seconds = 0;
  EXPECT_THROW(run_inbox_workload(options), std::invalid_argument);
  options.seconds = 1;
  options.body_bytes = 10;
  EXPECT_THROW(run_inbox_workload(options), std::invalid_argument);
}

}  // namespace
}  // namespace databus::bench
