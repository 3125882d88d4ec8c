#include "components/demo/demo_components.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "databus/builtins.h"
#include "databus/client.h"
#include "databus/factories.h"
#include "databus/uuid.h"
#include "storage/memory/memory_database.h"

namespace databus {
namespace {

std::uint32_t big_endian(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

class DemoDriveTest : public testing::Test {
 protected:
  // Drives every passenger type of the demo client once; returns the logs.
  std::vector<Log> drive_all() { return drive_all(database_); }
  std::vector<Log> drive_all(Database& database) {
    std::vector<Log> logs;
    Factories factories = Factories::primal(registry_);
    for (const ClientPassenger& p : demo_client_config().passengers) {
      Log log;
      DriveRequest request;
      request.client_id = "demo";
      request.passenger = p;
      request.database = &database;
      request.factories = &factories;
      request.log = &log;
      factories.driver("databus.driver.primal_driver")->drive(request);
      logs.push_back(std::move(log));
    }
    return logs;
  }

  std::vector<QueueEntry> entries() { return database_.query_entries("demo", EntryQuery{}); }

  std::shared_ptr<Registry> registry_ = builtin_registry();
  MemoryDatabase database_;
};

TEST_F(DemoDriveTest, DrivesTheDemoClientToCompletion) {
  for (const Log& log : drive_all()) EXPECT_FALSE(log.has_errors()) << log.to_text();

  std::vector<QueueEntry> all = entries();
  std::vector<std::string> ids;
  for (const QueueEntry& e : all) {
    EXPECT_TRUE(e.complete()) << e.passenger.external_id;
    EXPECT_EQ(e.passenger.source_system, "DEMO_SYSTEM");
    ids.push_back(e.passenger.external_id);
  }
  EXPECT_THAT(ids, testing::UnorderedElementsAre("ID_1_1", "ID_1_2", "ID_3_1", "ID_2_1", "ID_2_2",
                                                 "ID_BIN_1"));
  for (const QueueEntry& e : all) {
    if (e.passenger.external_id == "ID_1_1") {
      ASSERT_EQ(e.passenger.attachments.size(), 1u);
      EXPECT_EQ(e.passenger.attachments[0].name, "puller1_file1.txt");
      EXPECT_EQ(e.passenger.attachments[0].content, "Lorem Ipsum");
      EXPECT_EQ(e.passenger.passenger_module, "databus.passenger.demo.demo_passenger_1");
      EXPECT_EQ(e.passenger.puller_module, "databus.puller.demo.demo_puller_1");
    }
    if (e.passenger.external_id == "ID_1_2") {
      EXPECT_TRUE(e.passenger.attachments.empty());
    }
    if (e.passenger.external_id == "ID_3_1") {
      EXPECT_NE(e.passenger.find_attachment("puller3_file1.txt"), nullptr);
    }
    if (e.passenger.external_id == "ID_BIN_1") {
      ASSERT_EQ(e.passenger.attachments.size(), 1u);
      EXPECT_EQ(e.passenger.attachments[0].format, AttachmentFormat::binary);
      EXPECT_EQ(e.passenger.attachments[0].content, demo_png());
    }
  }
}

TEST_F(DemoDriveTest, ASecondDriveSeatsNothingNew) {
  drive_all();
  std::vector<Log> logs = drive_all();
  EXPECT_EQ(entries().size(), 6u);
  int warnings = 0;
  for (const Log& log : logs) {
    EXPECT_FALSE(log.has_errors()) << log.to_text();
    for (const LogEntry& e : log.entries()) {
      if (e.type == LogType::warning && e.message.find("already queued") != std::string::npos) {
        ++warnings;
      }
    }
  }
  EXPECT_EQ(warnings, 6);
}

TEST_F(DemoDriveTest, DrivesTheDemoClientWithTheJsonDb) {
  const std::filesystem::path dir =
      std::filesystem::path(testing::TempDir()) / ("databus_demo_test_" + new_uuid());
  {
    std::unique_ptr<Database> json = registry_->make_database("json_db", DatabaseEnv{dir, {}});
    for (const Log& log : drive_all(*json)) EXPECT_FALSE(log.has_errors()) << log.to_text();
    drive_all(*json);
  }
  std::unique_ptr<Database> reopened = registry_->make_database("json_db", DatabaseEnv{dir, {}});
  std::vector<QueueEntry> all = reopened->query_entries("demo", EntryQuery{});
  EXPECT_EQ(all.size(), 6u);
  for (const QueueEntry& e : all) EXPECT_TRUE(e.complete()) << e.passenger.external_id;
  EXPECT_TRUE(reopened->problems("demo").empty());
  std::filesystem::remove_all(dir);
}

TEST(DemoPngTest, IsAWellFormedPng) {
  const std::string png = demo_png();
  ASSERT_GT(png.size(), 8u + 25u + 12u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(big_endian(png, 8), 13u);  // IHDR length
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian(png, 16), 8u);  // width
  EXPECT_EQ(big_endian(png, 20), 8u);  // height
  // Chunks follow each other up to IEND, which ends the file.
  std::size_t at = 8;
  std::vector<std::string> types;
  while (at + 12 <= png.size()) {
    const std::uint32_t length = big_endian(png, at);
    types.push_back(png.substr(at + 4, 4));
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  EXPECT_THAT(types, testing::ElementsAre("IHDR", "IDAT", "IEND"));
}

TEST(DemoRegistrationTest, UsesTheOriginalNames) {
  Registry registry;
  register_demo_components(registry);
  for (const char* name :
       {"databus.passenger.demo.demo_passenger_1", "databus.passenger.demo.demo_passenger_2",
        "databus.passenger.demo.demo_binary_passenger"}) {
    EXPECT_NE(registry.find(ComponentKind::passenger, name), nullptr) << name;
  }
  for (const char* name :
       {"databus.puller.demo.demo_puller_1", "databus.puller.demo.demo_puller_2",
        "databus.puller.demo.demo_puller_3", "databus.puller.demo.demo_binary_puller"}) {
    EXPECT_NE(registry.find(ComponentKind::puller, name), nullptr) << name;
  }
  for (const char* name :
       {"databus.processor.demo.demo_processor_1", "databus.processor.demo.demo_processor_2"}) {
    EXPECT_NE(registry.find(ComponentKind::processor, name), nullptr) << name;
  }
  for (const char* name : {"databus.pusher.demo.demo_pusher_1", "databus.pusher.demo.demo_pusher_2",
                           "databus.pusher.demo.demo_binary_pusher"}) {
    EXPECT_NE(registry.find(ComponentKind::pusher, name), nullptr) << name;
  }
}

}  // namespace
}  // namespace databus
