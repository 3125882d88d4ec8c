// The JSON DB loads a data directory written by the original Python Databus
// unchanged (tests/fixtures/original_json_db).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "databus/error.h"
#include "fs/atomic_file.h"
#include "storage/json_db/json_database.h"
#include "test_paths.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

const char* kP1 = "databus.passenger.demo.demo_passenger_1";
const char* kBinaryPassenger = "databus.passenger.demo.demo_binary_passenger";
const std::string kLog1 = "12a1bb34-7f23-11ea-8fe6-a82066455b02";
const std::string kLog2 = "081f0a34-5e07-11ed-b7cc-acde48001122";

class OriginalDataTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::path(testing::TempDir()) / ("databus_original_" + std::to_string(::getpid()));
    stdfs::remove_all(dir_);
    stdfs::copy(stdfs::path(DATABUS_SOURCE_DIR) / "tests/fixtures/original_json_db", dir_,
                stdfs::copy_options::recursive);
    db_ = open_json_database({dir_, {}});
  }
  void TearDown() override {
    db_.reset();
    stdfs::remove_all(dir_);
  }
  stdfs::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(OriginalDataTest, ClientsAndUsers) {
  EXPECT_EQ(db_->client_ids(), (std::vector<std::string>{"demo", "root"}));
  ClientConfig demo = db_->load_client("demo");
  EXPECT_EQ(demo.id, "demo");
  EXPECT_EQ(demo.log_life_span, 1);
  ASSERT_EQ(demo.passengers.size(), 2u);
  const ClientPassenger& p1 = demo.passengers[0];
  EXPECT_EQ(p1.name, kP1);
  EXPECT_EQ(p1.pullers, std::vector<ComponentRef>{{"databus.puller.demo.demo_puller_1"}});
  EXPECT_EQ(p1.processor_modules(),
            std::vector<std::string>{"databus.processor.demo.demo_processor_1"});
  EXPECT_EQ(p1.pusher_modules(), std::vector<std::string>{"databus.pusher.demo.demo_pusher_1"});
  EXPECT_EQ(p1.queue.module, "databus.pqueue.primal_queue");
  EXPECT_EQ(p1.queue_life_span, 1);
  EXPECT_EQ(p1.sync_frequency, 1);
  const ClientPassenger& binary = demo.passengers[1];
  EXPECT_EQ(binary.name, kBinaryPassenger);
  EXPECT_TRUE(binary.processors.empty());
  EXPECT_EQ(binary.queue_life_span, 2);
  EXPECT_EQ(binary.sync_frequency, 5);
  ASSERT_EQ(demo.users.size(), 2u);
  EXPECT_EQ(demo.users[0],
            (User{"demo", "demo", "6f0e3c2a-1d4b-4e8a-9c71-2b5d8e9f0a13", Role::administrator}));
  EXPECT_EQ(demo.users[1], (User{"viewer", "secret", "", Role::administrator}));

  ClientConfig root = db_->load_client("root");
  EXPECT_TRUE(root.passengers.empty());
  ASSERT_EQ(root.users.size(), 1u);
  EXPECT_EQ(root.users[0].username, "root");
  EXPECT_EQ(root.users[0].password, "root");
}

TEST_F(OriginalDataTest, QueueEntries) {
  EXPECT_TRUE(db_->problems("demo").empty());
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), 3u);

  std::optional<QueueEntry> e1 = db_->load_entry("demo", "082791e0-5e07-11ed-8023-acde48001122");
  ASSERT_TRUE(e1);
  QueueEntry expected;
  expected.passenger.external_id = "ID_1_2";
  expected.passenger.internal_id = "082791e0-5e07-11ed-8023-acde48001122";
  expected.passenger.source_system = "DEMO_SYSTEM";
  expected.passenger.passenger_module = kP1;
  expected.passenger.puller_module = "databus.puller.demo.demo_puller_1";
  expected.passenger.pull_datetime = parse_iso("2022-11-06T22:13:01.294628");
  expected.passenger.log_guids = {kLog2};
  expected.puller_notified = true;
  expected.processor_statuses = {
      {"databus.processor.demo.demo_processor_1", StepStatus::complete, 0, ""}};
  expected.pusher_statuses = {{"databus.pusher.demo.demo_pusher_1", StepStatus::complete, 0, ""}};
  EXPECT_EQ(*e1, expected);
  EXPECT_TRUE(e1->complete());

  std::optional<QueueEntry> e2 = db_->load_entry("demo", "0827650c-5e07-11ed-8023-acde48001122");
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->passenger.external_id, "ID_1_1");
  EXPECT_EQ(e2->passenger.pull_datetime, parse_iso("2022-11-06T22:13:01.294101"));
  ASSERT_EQ(e2->passenger.attachments.size(), 1u);
  EXPECT_EQ(e2->passenger.attachments[0],
            (Attachment{"puller1_file1.txt", AttachmentFormat::text, "Lorem Ipsum"}));
  EXPECT_EQ(e2->pusher_statuses.at(0).status, StepStatus::incomplete);
  EXPECT_FALSE(e2->complete());

  std::optional<QueueEntry> e3 = db_->load_entry("demo", "1c4a7e52-5e07-11ed-9a1e-acde48001122");
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->passenger.passenger_module, kBinaryPassenger);
  EXPECT_EQ(e3->passenger.puller_module, "databus.puller.demo.demo_binary_puller");
  EXPECT_FALSE(e3->puller_notified);
  EXPECT_TRUE(e3->passenger.log_guids.empty());
  EXPECT_TRUE(e3->processor_statuses.empty());
  ASSERT_EQ(e3->passenger.attachments.size(), 1u);
  const Attachment& png = e3->passenger.attachments[0];
  EXPECT_EQ(png.name, "databus_logo.png");
  EXPECT_EQ(png.format, AttachmentFormat::binary);
  ASSERT_EQ(png.content.size(), 70u);
  EXPECT_EQ(png.content.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_NE(png.content.find('\0'), std::string::npos);

  EntryQuery push_due;
  push_due.filter = EntryFilter::push_due;
  push_due.passenger_module = kP1;
  std::vector<QueueEntry> due = db_->query_entries("demo", push_due);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].passenger.external_id, "ID_1_1");
  EXPECT_EQ(db_->find_entry("demo", kP1, "DEMO_SYSTEM", "ID_1_2"),
            "082791e0-5e07-11ed-8023-acde48001122");
}

TEST_F(OriginalDataTest, Logs) {
  std::vector<LogSummary> logs = db_->list_logs("demo");
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].guid, kLog2);
  EXPECT_EQ(logs[0].created, parse_iso("2022-11-06T22:13:01.310411"));
  EXPECT_EQ(logs[0].worst_type, LogType::error);
  EXPECT_EQ(logs[1].guid, kLog1);
  EXPECT_EQ(logs[1].created, parse_iso("2020-04-15T17:12:00.139335"));
  EXPECT_EQ(logs[1].worst_type, LogType::warning);

  std::optional<Log> log = db_->read_log("demo", kLog1);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->created(), parse_iso("2020-04-15T17:12:00.139335"));
  ASSERT_EQ(log->entries().size(), 4u);
  EXPECT_EQ(log->entries()[0],
            (LogEntry{parse_iso("2020-04-15T17:11:52.396481"), "databus.driver.primal_driver",
                      LogType::info, "Driving..."}));
  EXPECT_EQ(log->entries()[2],
            (LogEntry{parse_iso("2020-04-15T17:11:59.912345"), "databus.pusher.demo.demo_pusher_1",
                      LogType::warning, "Target slow"}));
  EXPECT_EQ(log->entries()[3].message, "Drive complete");

  // Deleting a log with ':' in its file name removes that file.
  EXPECT_TRUE(db_->delete_log("demo", kLog1));
  EXPECT_FALSE(
      stdfs::exists(dir_ / "clients/demo/log" / ("2020-04-15T17:12:00.139335_" + kLog1 + ".txt")));
}

TEST_F(OriginalDataTest, Backups) {
  std::vector<BackupInfo> backups = db_->list_backups("demo");
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_EQ(backups[0].id, "5b8e7d3c-9a41-4f0e-8c2b-7d1e6f5a4b39-__databus__");
  EXPECT_EQ(backups[0].node, "__databus__");
  EXPECT_EQ(durable::read_file(dir_ / "clients/demo/backup" / (backups[0].id + ".json")),
            db_->read_client_config_text("demo"));
}

TEST_F(OriginalDataTest, ShippedPlaceholderFilesAreNoProblem) {
  ASSERT_TRUE(stdfs::exists(dir_ / "clients/demo/log/placeholder.txt"));
  ASSERT_TRUE(stdfs::exists(dir_ / "clients/root/pqueue/placeholder.txt"));
  for (const std::string client : {"demo", "root"}) {
    db_->query_entries(client, EntryQuery{});
    db_->list_logs(client);
    EXPECT_TRUE(db_->problems(client).empty())
        << client << ": " << db_->problems(client)[0].message;
  }
  EXPECT_EQ(db_->list_logs("root").size(), 0u);
  EXPECT_EQ(db_->count_entries("root", EntryQuery{}), 0u);
  // Left where they are.
  EXPECT_TRUE(stdfs::exists(dir_ / "clients/demo/log/placeholder.txt"));
  EXPECT_TRUE(stdfs::exists(dir_ / "clients/demo/pqueue/placeholder.txt"));
}

TEST_F(OriginalDataTest, AnyOtherStrayLogFileIsStillReported) {
  durable::write_file_atomically(dir_ / "clients/demo/log/notes.txt", "x");
  db_.reset();
  db_ = open_json_database({dir_, {}});
  db_->list_logs("demo");
  const std::vector<StorageProblem> problems = db_->problems("demo");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].path.find("notes.txt"), std::string::npos);
}

TEST_F(OriginalDataTest, AttachmentNamesWithSpacesAndNonAsciiLettersKeepTheirNames) {
  // An entry as the original wrote it, its attachments named with a space
  // and with a non-ASCII letter.
  const std::string id = "5f0c2d1e-5e07-11ed-9a1e-acde48001122";
  const stdfs::path entry = dir_ / "clients/demo/pqueue" / id;
  const std::string umlaut = "\xC3\xBC.txt";  // ü.txt
  stdfs::create_directories(entry / "attachments");
  durable::write_file_atomically(entry / "attachments" / umlaut, "u");
  durable::write_file_atomically(entry / "attachments" / "a b.txt", "ab");
  durable::write_file_atomically(
      entry / "passenger.json",
      R"({"external_id": "ID_9", "internal_id": ")" + id +
          R"(", "source_system": "DEMO_SYSTEM", "passenger_module": ")" + kP1 +
          R"(", "puller_module": "databus.puller.demo.demo_puller_1", "puller_notified": true, )"
          R"("pull_datetime": "2022-11-06T22:13:01.294101", "attachments": [{"format": "text", )"
          R"("name": ")" +
          umlaut +
          R"("}, {"format": "text", "name": "a b.txt"}], )"
          R"("log_guids": [], "processor_statuses": [], "pusher_statuses": []})");
  db_.reset();
  db_ = open_json_database({dir_, {}});
  std::optional<QueueEntry> e = db_->load_entry("demo", id);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->passenger.attachments.size(), 2u);
  EXPECT_EQ(e->passenger.attachments[0], (Attachment{umlaut, AttachmentFormat::text, "u"}));
  EXPECT_EQ(e->passenger.attachments[1], (Attachment{"a b.txt", AttachmentFormat::text, "ab"}));
  EXPECT_TRUE(db_->problems("demo").empty());

  // Rewritten by us, they keep their names on disk and in passenger.json.
  QueueEntry changed = *e;
  changed.passenger.add_attachment("c d \xC3\xA9.txt", AttachmentFormat::text, "cde");
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::everything);
  db_.reset();
  db_ = open_json_database({dir_, {}});
  e = db_->load_entry("demo", id);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->passenger.attachments.size(), 3u);
  EXPECT_EQ(e->passenger.attachments[0].name, umlaut);
  EXPECT_EQ(e->passenger.attachments[1].name, "a b.txt");
  EXPECT_EQ(e->passenger.attachments[2].name, "c d \xC3\xA9.txt");
  EXPECT_EQ(durable::read_file(entry / "attachments" / umlaut), "u");
  EXPECT_EQ(durable::read_file(entry / "attachments" / "c d \xC3\xA9.txt"), "cde");
}

TEST_F(OriginalDataTest, EntriesWeRewriteStayReadableAsTheOriginalWroteThem) {
  QueueEntry e = *db_->load_entry("demo", "0827650c-5e07-11ed-8023-acde48001122");
  e.pusher_statuses[0].status = StepStatus::complete;
  db_->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  const std::string text = durable::read_file(
      dir_ / "clients/demo/pqueue/0827650c-5e07-11ed-8023-acde48001122/passenger.json");
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_LT(text.find("\"external_id\""), text.find("\"internal_id\""));
  EXPECT_LT(text.find("\"processor_statuses\""), text.find("\"pusher_statuses\""));
  EXPECT_EQ(text.find("attempts"), std::string::npos);
  db_.reset();
  db_ = open_json_database({dir_, {}});
  EXPECT_TRUE(db_->load_entry("demo", "0827650c-5e07-11ed-8023-acde48001122")->complete());
}

}  // namespace
}  // namespace databus
