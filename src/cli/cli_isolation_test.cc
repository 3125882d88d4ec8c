// End-to-end tests of issue 13, item 2: one client's bad data stays with
// that client. They run the built `databus` binary on a data directory in
// which one client has a journal batch that cannot be replayed or a stray
// file in its log folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/child_process.h"
#include "databus/dispatcher.h"
#include "databus/uuid.h"
#include "storage/json_db/json_db_test_support.h"
#include "test_paths.h"

namespace databus::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassenger[] = "databus.passenger.demo.demo_passenger_1";

class CliIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "databus_cli_iso_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    data_ = dir_ / "data";
    ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
    // A second client like demo.
    fs::create_directories(data_ / "clients/other");
    fs::copy_file(data_ / "clients/demo/config.json", data_ / "clients/other/config.json");
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProgramResult databus(std::vector<std::string> args) {
    args.insert(args.begin(), DATABUS_CLI_PATH);
    return run_program(args, dir_);
  }
  ProgramResult drive(const std::string& client) {
    return databus({"drive", client, kPassenger, "--data-dir", data_.string()});
  }

  fs::path dir_;
  fs::path data_;
};

// The reproduction: a batch whose replay fails (here a file stands
// where its entry's folder must go) made run, check and drive exit 2 for
// every client.
TEST_F(CliIsolationTest, AJournalBatchThatCannotBeReplayedStopsOnlyItsClientPassenger) {
  Passenger p;
  p.external_id = "STUCK";
  p.internal_id = new_uuid();
  p.source_system = "DEMO_SYSTEM";
  p.passenger_module = kPassenger;
  p.puller_module = "databus.puller.demo.demo_puller_1";
  p.pull_datetime = Clock::now();
  p.add_attachment(std::string(250, 'b'), AttachmentFormat::text, "long name");
  const QueueEntry entry = QueueEntry::seat(p, {}, {"databus.pusher.demo.demo_pusher_1"});
  // A process that journals the entry and dies before closing.
  testing_support::die_after([&] {
    DispatcherTicket ticket;
    ticket.data_dir = data_;
    ticket.run_web_server = false;
    auto* dispatcher = new Dispatcher(std::move(ticket));  // Never destroyed.
    dispatcher->database().insert_entries("demo", std::span(&entry, 1));
  });
  ASSERT_TRUE(fs::exists(data_ / "clients/demo/pqueue.journal"));
  const fs::path folder = data_ / "clients/demo/pqueue" / p.internal_id;
  fs::remove_all(folder);
  std::ofstream(folder) << "in the way";

  const ProgramResult other = drive("other");
  EXPECT_EQ(other.exit_code, 0) << other.out << other.err;
  EXPECT_THAT(other.out, Not(HasSubstr("][error] ")));

  const ProgramResult check = databus({"check", "--data-dir", data_.string()});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("other: ok"));
  EXPECT_THAT(check.out, HasSubstr("pqueue.journal.failed-"));

  const ProgramResult stuck = drive("demo");
  EXPECT_EQ(stuck.exit_code, 1) << stuck.out << stuck.err;
  EXPECT_THAT(stuck.out, HasSubstr("Drive stopped"));
  EXPECT_THAT(stuck.out, HasSubstr("pqueue.journal.failed-"));

  // The operator clears the way and replays the set-aside batch.
  fs::remove(folder);
  for (const auto& item : fs::directory_iterator(data_ / "clients/demo")) {
    if (item.path().filename().string().starts_with("pqueue.journal.failed-")) {
      fs::rename(item.path(), data_ / "clients/demo/pqueue.journal");
    }
  }
  const ProgramResult replayed = drive("demo");
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  EXPECT_TRUE(fs::exists(folder / "attachments" / std::string(250, 'b')));
}

TEST_F(CliIsolationTest, AStrayFileInALogFolderIsReportedButFailsNoDrive) {
  fs::create_directories(data_ / "clients/demo/log");
  std::ofstream(data_ / "clients/demo/log/notes.txt") << "not a log";
  const ProgramResult demo = drive("demo");
  EXPECT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  EXPECT_THAT(demo.out, HasSubstr("notes.txt"));
  EXPECT_THAT(demo.out, Not(HasSubstr("][error] ")));
  const ProgramResult check = databus({"check", "--data-dir", data_.string()});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("notes.txt"));
  EXPECT_THAT(check.out, HasSubstr("other: ok"));
}

}  // namespace
}  // namespace databus::cli
