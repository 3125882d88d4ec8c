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

TEST(MemoryDatabaseTest, AQueryWithoutAttachmentsCopiesEverythingButTheContents) {
  MemoryDatabase db;
  Passenger p;
  p.external_id = "E1";
  p.internal_id = "0b5a4c3e-8f1d-4a52-9c1e-2d6f7a8b9c0d";
  p.source_system = "SRC";
  p.passenger_module = "databus.passenger.demo";
  p.puller_module = "databus.puller.demo";
  p.pull_datetime = parse_iso("2024-01-01T00:00:00");
  p.add_attachment("a.txt", AttachmentFormat::text, "first");
  p.add_attachment("b.bin", AttachmentFormat::binary, "second");
  p.add_log_guid("6f1e2d3c-4b5a-4968-8776-655443322110");
  QueueEntry entry = QueueEntry::seat(p, {"proc"}, {"push"});
  entry.puller_notified = true;
  db.insert_entries("demo", std::span(&entry, 1));

  EntryQuery query;
  query.with_attachments = false;
  std::vector<QueueEntry> found = db.query_entries("demo", query);
  ASSERT_EQ(found.size(), 1u);
  ASSERT_EQ(found[0].passenger.attachments.size(), 2u);
  for (Attachment& a : found[0].passenger.attachments) {
    EXPECT_TRUE(a.content.empty()) << a.name;
    a.content = entry.passenger.find_attachment(a.name)->content;
  }
  EXPECT_EQ(found[0], entry);
}

}  // namespace
}  // namespace databus
