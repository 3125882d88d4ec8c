// The floor and the inbox workload on PostgreSQL, on the server ctest
// starts (fixture databus_postgresql): the engine reads every floor entry
// complete, every accepted inbox id is stored once, and the fresh schemas
// they made are dropped. No timing assertions.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "bench/floor.h"
#include "bench/inbox_workload.h"
#include "storage/postgresql/pg_connection.h"
#include "storage/postgresql/pg_test_server.h"

namespace databus::bench {
namespace {

class BenchPostgresqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = testing_support::pg_test_conninfo();
    if (!conninfo_) GTEST_SKIP() << "no test PostgreSQL server (run under ctest)";
  }

  DatabaseArguments arguments() const { return {{"conninfo", *conninfo_}}; }

  // Schemas the bench makes (bench_<12 hex digits>).
  std::int64_t bench_schemas() const {
    const PgSettings settings = PgSettings::from_arguments(arguments());
    PgConnection c(settings);
    return c
        .run(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name ~ "
            "'^bench_[0-9a-f]{12}$'")
        .integer(0, 0);
  }

  std::optional<std::string> conninfo_;
};

TEST_F(BenchPostgresqlTest, FloorLeavesEveryEntryCompleteAndDropsItsSchema) {
  const std::int64_t before = bench_schemas();
  FloorOptions options;
  options.database = "postgresql";
  // A schema of the user's is not where the floor writes.
  options.database_arguments = {{"conninfo", *conninfo_}, {"schema", "users_own"}};
  options.passengers = 150;
  options.attachment_bytes = 700;
  options.processors = 1;
  options.pushers = 2;

  const FloorResult result = run_floor(options);

  EXPECT_EQ(result.complete, 150u);
  EXPECT_GT(result.seconds, 0);
  EXPECT_EQ(bench_schemas(), before);
}

TEST_F(BenchPostgresqlTest, InboxStoresEveryAcceptedIdOnce) {
  const std::int64_t before = bench_schemas();
  InboxOptions options;
  options.database = "postgresql";
  options.database_arguments = arguments();
  options.senders = 4;
  options.requests = 40;

  const InboxResult result = run_inbox_workload(options);

  EXPECT_EQ(result.accepted, 40u);
  EXPECT_EQ(result.stored, 40u);
  EXPECT_EQ(result.missing, 0u);
  EXPECT_TRUE(result.consistent());
  ASSERT_TRUE(result.floor);
  EXPECT_EQ(result.floor->complete, 40u);
  EXPECT_EQ(bench_schemas(), before);
}

}  // namespace
}  // namespace databus::bench
