// Small workloads end to end on the JSON DB and the in-memory engine. No
// timing assertions: figures belong in docs/performance.md.
#include "bench/workload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <stdexcept>

#include "bench/bench_test_support.h"

namespace databus::bench {
namespace {

TEST(WorkloadTest, W1CompletesEveryPassengerOnTheJsonDb) {
  PrivateTmpdir tmpdir;
  WorkloadOptions options;
  options.passengers = 60;
  options.attachment_bytes = 100;
  options.processors = 2;
  options.pushers = 2;
  std::size_t last_pushed = 0;
  options.progress = [&](std::size_t, std::size_t pushed) { last_pushed = pushed; };

  WorkloadResult result = run_workload(options);

  EXPECT_EQ(result.complete, 60u) << result.first_error;
  EXPECT_TRUE(result.all_complete());
  EXPECT_EQ(result.first_error, "");
  EXPECT_EQ(last_pushed, 60u);
  EXPECT_GT(result.seconds, 0);
  EXPECT_TRUE(std::regex_match(
      result.line(),
      std::regex(R"(engine=json_db workload=W1 passengers=60 seconds=[0-9]+\.[0-9]{3} )"
                 R"(rate=[0-9]+/s complete=60 peak_rss_mb=[0-9]+)")))
      << result.line();
  // A process of this size resides in more than a MiB and less than a GiB.
  EXPECT_GT(result.peak_rss_mb, 1);
  EXPECT_LT(result.peak_rss_mb, 1024);
  EXPECT_TRUE(tmpdir.empty());  // The temporary store is gone.
}

TEST(WorkloadTest, W1WithDirectoryPushersWritesEveryPassenger) {
  PrivateTmpdir tmpdir;
  WorkloadOptions options;
  options.passengers = 300;  // More than one syncfs() batch of the pusher.
  options.attachment_bytes = 1024;
  options.pusher = "directory";

  WorkloadResult result = run_workload(options);

  EXPECT_TRUE(result.all_complete()) << result.first_error;
  EXPECT_EQ(result.first_error, "");
  EXPECT_TRUE(tmpdir.empty());  // The outbox went with the temporary store.
  options.pushers = 2;          // One module per passenger type.
  EXPECT_THROW(run_workload(options), std::invalid_argument);
  options.pushers = 1;
  options.pusher = "ftp";
  EXPECT_THROW(run_workload(options), std::invalid_argument);
}

TEST(WorkloadTest, W2CountsOnlyThePulledPassengers) {
  WorkloadOptions options;
  options.database = "memory";
  options.workload = "W2";
  options.passengers = 20;
  options.preload = 50;
  WorkloadResult result = run_workload(options);
  EXPECT_EQ(result.complete, 20u) << result.first_error;
  EXPECT_EQ(result.engine, "memory");
  EXPECT_EQ(result.workload, "W2");
}

// Runs in a store shared with others (a PostgreSQL server) must not meet
// the rows of an earlier run's client: each run has a client of its own,
// also when runs follow one another within the same millisecond.
TEST(WorkloadTest, EveryRunHasAClientOfItsOwn) {
  WorkloadOptions options;
  options.database = "memory";
  options.passengers = 1;
  const std::string first = run_workload(options).client_id;
  const std::string second = run_workload(options).client_id;
  EXPECT_TRUE(std::regex_match(first, std::regex("bench-[0-9a-f]{12}"))) << first;
  EXPECT_NE(first, second);
}

// Each run's directory pusher writes below a folder of its own: ext4 picks
// a top-level directory's place from its name, so a fixed name put every
// run beside the inodes the previous run had just freed.
TEST(WorkloadTest, EveryRunHasAnOutboxOfItsOwn) {
  PrivateTmpdir tmpdir;
  WorkloadOptions options;
  options.database = "memory";
  options.passengers = 1;
  options.pusher = "directory";
  const WorkloadResult first = run_workload(options);
  const WorkloadResult second = run_workload(options);
  ASSERT_TRUE(first.all_complete()) << first.first_error;
  EXPECT_TRUE(std::regex_match(first.outbox.filename().string(), std::regex("outbox-[0-9a-f]{12}")))
      << first.outbox;
  EXPECT_NE(first.outbox.filename(), second.outbox.filename());
  EXPECT_TRUE(tmpdir.empty());  // Both went with their temporary directories.
  options.pusher = "discard";
  EXPECT_TRUE(run_workload(options).outbox.empty());
}

TEST(WorkloadTest, W2OnTheJsonDb) {
  WorkloadOptions options;
  options.workload = "W2";
  options.passengers = 10;
  options.preload = 30;
  options.attachment_bytes = 10;
  EXPECT_EQ(run_workload(options).complete, 10u);
}

// The preloaded entries wait (or are quarantined): the drive leaves them
// alone and pushes only what it pulled.
TEST(WorkloadTest, W3LeavesTheWaitingAndQuarantinedEntriesAlone) {
  for (const char* engine : {"memory", "json_db"}) {
    WorkloadOptions options;
    options.database = engine;
    options.workload = "W3";
    options.passengers = 10;
    options.preload = 40;
    options.attachment_bytes = 10;
    const WorkloadResult result = run_workload(options);
    EXPECT_EQ(result.complete, 10u) << engine << ": " << result.first_error;
    EXPECT_EQ(result.preload_complete, 0u) << engine;
  }
  WorkloadOptions w2;
  w2.database = "memory";
  w2.workload = "W2";
  w2.passengers = 1;
  w2.preload = 5;
  EXPECT_EQ(run_workload(w2).preload_complete, 5u);
}

TEST(WorkloadTest, RejectsBadOptions) {
  WorkloadOptions options;
  options.workload = "W4";
  EXPECT_THROW(run_workload(options), std::invalid_argument);
  options.workload = "W3";
  options.pushers = 0;
  EXPECT_THROW(run_workload(options), std::invalid_argument);
  options.pushers = 1;
  options.workload = "W1";
  options.preload = 5;
  EXPECT_THROW(run_workload(options), std::invalid_argument);
  options.preload = 0;
  options.passengers = 0;
  EXPECT_THROW(run_workload(options), std::invalid_argument);
}

TEST(WorkloadTest, AnUnknownEngineIsAnError) {
  WorkloadOptions options;
  options.database = "no_such_engine";
  options.passengers = 1;
  EXPECT_ANY_THROW(run_workload(options));
}

}  // namespace
}  // namespace databus::bench
