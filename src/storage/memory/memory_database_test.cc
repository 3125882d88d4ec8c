#include "storage/memory/memory_database.h"

#include <gtest/gtest.h>

#include "databus/error.h"
#include "storage/database_conformance.h"

namespace databus {

INSTANTIATE_TEST_SUITE_P(Memory, DatabaseConformanceTest,
                         testing::Values(ConformanceEngine{"memory",
                                                           [](const std::filesystem::path&) {
                                                             return open_memory_database({});
                                                           }}),
                         ConformanceEngine::name_of);

namespace {

TEST(MemoryDatabaseTest, InjectedProblemsAreReportedForTheirClient) {
  MemoryDatabase db;
  db.add_problem({"demo", "pqueue/x/passenger.json", "field 'source_system' is missing"});
  ASSERT_EQ(db.problems("demo").size(), 1u);
  EXPECT_EQ(db.problems("demo")[0].path, "pqueue/x/passenger.json");
  EXPECT_TRUE(db.problems("other").empty());
}

TEST(MemoryDatabaseTest, TakesNoArguments) {
  EXPECT_EQ(memory_database_spec().name, "memory");
  try {
    open_memory_database({"", {{"path", "/tmp"}}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "path");
  }
}

}  // namespace
}  // namespace databus
