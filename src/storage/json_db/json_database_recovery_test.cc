// Issue 13, item 2: one client's bad data stays with that client. Long
// attachment names through the JSON DB, a journal batch that cannot be
// replayed, a stray file in a log folder, and a full disk (a small tmpfs,
// where this process may mount one): the database keeps opening, the other
// clients and passengers go on, and nothing acknowledged is lost.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstring>
#include <fstream>
#include <functional>

#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "fs/journal_file.h"
#include "fs/no_space.h"
#include "storage/json_db/json_database.h"
#include "storage/json_db/json_db_test_support.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;
using namespace testing_support;
const std::string kOtherModule = "databus.passenger.demo.demo_passenger_2";

QueueEntry make_entry(const std::string& external_id, const std::string& module = kJsonDbModule) {
  QueueEntry e = make_json_db_entry(external_id);
  e.passenger.passenger_module = module;
  return e;
}

void write_text(const stdfs::path& path, const std::string& text) {
  stdfs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The names of `dir` starting with `prefix`.
std::vector<std::string> named(const stdfs::path& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& item : stdfs::directory_iterator(dir)) {
    const std::string name = item.path().filename().string();
    if (name.starts_with(prefix)) out.push_back(name);
  }
  return out;
}

class JsonDatabaseRecoveryTest : public JsonDbTest {
 protected:
  stdfs::path folder(const QueueEntry& e, const std::string& client = "demo") const {
    return dir_ / "clients" / client / "pqueue" / e.passenger.internal_id;
  }
  static std::vector<StorageProblem> of_kind(const std::vector<StorageProblem>& all,
                                             StorageProblem::Kind kind) {
    std::vector<StorageProblem> out;
    for (const StorageProblem& p : all) {
      if (p.kind == kind) out.push_back(p);
    }
    return out;
  }
};

TEST_F(JsonDatabaseRecoveryTest, AttachmentNamesOf250BytesAndLongerAreStoredAndReplayed) {
  QueueEntry e = make_entry("LONG");
  const std::string name250 = std::string(246, 'n') + ".txt";
  ASSERT_EQ(e.passenger.add_attachment(name250, AttachmentFormat::text, "250"), name250);
  const std::string given = std::string(300, 'z') + ".xml";
  const std::string short_name = e.passenger.add_attachment(given, AttachmentFormat::text, "300");
  ASSERT_EQ(short_name.size(), 255u);

  crash_after([&](Database& db) {
    db.insert_entries("demo", std::span(&e, 1));
    QueueEntry changed = e;
    changed.passenger.attachments[1].content = "250, changed";
    db.update_entries("demo", std::span(&changed, 1), SaveScope::everything);
  });
  ASSERT_TRUE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  stdfs::remove_all(folder(e));  // What the crash may not have made durable.

  db_ = open_json_database({dir_, {}});
  EXPECT_TRUE(db_->problems("demo").empty());
  std::optional<QueueEntry> stored = db_->load_entry("demo", e.passenger.internal_id);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->passenger.attachments.size(), 3u);
  EXPECT_EQ(stored->passenger.attachments[1].name, name250);
  EXPECT_EQ(stored->passenger.attachments[1].content, "250, changed");
  EXPECT_EQ(stored->passenger.attachments[2].name, short_name);
  EXPECT_EQ(stored->passenger.attachments[2].full_name, given);
  EXPECT_EQ(stored->passenger.attachments[2].content, "300");
  const std::string json = durable::read_file(folder(e) / "passenger.json");
  EXPECT_NE(json.find("\"full_name\": \"" + given + "\""), std::string::npos) << json;

  // Written again in a running process, then closed and reopened.
  stored->passenger.attachments[2].content = "300, again";
  db_->update_entries("demo", std::span(&*stored, 1), SaveScope::everything);
  reopen();
  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), stored);
  for (const auto& item : stdfs::recursive_directory_iterator(dir_)) {
    EXPECT_FALSE(durable::is_temporary_name(item.path().filename().string())) << item.path();
  }
}

TEST_F(JsonDatabaseRecoveryTest, NamesTooLongForAFileAreRefusedBeforeAnythingIsJournaled) {
  QueueEntry e = make_entry("RAW");
  e.passenger.attachments.push_back({std::string(256, 'r'), AttachmentFormat::text, "raw"});
  EXPECT_THROW(db_->insert_entries("demo", std::span(&e, 1)), StorageError);
  QueueEntry fine = make_entry("FINE");
  db_->insert_entries("demo", std::span(&fine, 1));
  reopen();
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), 1u);
  EXPECT_TRUE(db_->problems("demo").empty());
}

TEST_F(JsonDatabaseRecoveryTest,
       AJournalBatchThatCannotBeReplayedIsSetAsideAndStopsOnlyItsPassenger) {
  QueueEntry blocked = make_entry("BLOCKED"), fine = make_entry("FINE", kOtherModule),
             other = make_entry("OTHER");
  crash_after([&](Database& db) {
    std::vector<QueueEntry> demo{blocked, fine};
    db.insert_entries("demo", demo);
    QueueEntry done = blocked;
    done.puller_notified = true;
    done.complete_all_steps();
    db.update_entries("demo", std::span(&done, 1), SaveScope::statuses);
    db.insert_entries("other", std::span(&other, 1));
  });
  // What the crash left: no folders, and a plain file where the blocked
  // entry's folder must go, so its replay fails.
  stdfs::remove_all(folder(blocked));
  stdfs::remove_all(folder(fine));
  stdfs::remove_all(folder(other, "other"));
  write_text(folder(blocked), "in the way");

  db_ = open_json_database({dir_, {}});  // Opens all the same.
  EXPECT_FALSE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  const std::vector<std::string> aside = named(dir_ / "clients/demo", "pqueue.journal.failed-");
  ASSERT_EQ(aside.size(), 1u);
  // The rest of the batch, and the other client, are there.
  EXPECT_EQ(db_->load_entry("demo", fine.passenger.internal_id), fine);
  EXPECT_EQ(db_->load_entry("other", other.passenger.internal_id), other);
  EXPECT_FALSE(db_->load_entry("demo", blocked.passenger.internal_id));
  EXPECT_TRUE(db_->problems("other").empty());

  auto check_reported = [&] {
    const auto set_aside = of_kind(db_->problems("demo"), StorageProblem::Kind::set_aside_changes);
    ASSERT_EQ(set_aside.size(), 1u);
    EXPECT_EQ(set_aside[0].path, (dir_ / "clients/demo" / aside[0]).string());
    EXPECT_TRUE(set_aside[0].stops(kJsonDbModule));
    EXPECT_FALSE(set_aside[0].stops(kOtherModule));
    EXPECT_NE(set_aside[0].message.find("2 journaled change(s)"), std::string::npos)
        << set_aside[0].message;
  };
  check_reported();
  QueueEntry later = make_entry("LATER", kOtherModule);  // The others go on.
  db_->insert_entries("demo", std::span(&later, 1));
  reopen();
  check_reported();  // Reported again after a restart.

  // The operator clears the way and replays the set-aside changes.
  db_.reset();
  stdfs::remove(folder(blocked));
  stdfs::rename(dir_ / "clients/demo" / aside[0], dir_ / "clients/demo/pqueue.journal");
  db_ = open_json_database({dir_, {}});
  EXPECT_TRUE(db_->problems("demo").empty());
  std::optional<QueueEntry> replayed = db_->load_entry("demo", blocked.passenger.internal_id);
  ASSERT_TRUE(replayed);
  EXPECT_TRUE(replayed->complete());
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), 3u);
}

TEST_F(JsonDatabaseRecoveryTest, RemovingTheSetAsideFileLetsThePassengerGoOnWithoutARestart) {
  QueueEntry blocked = make_entry("BLOCKED");
  crash_after([&](Database& db) { db.insert_entries("demo", std::span(&blocked, 1)); });
  stdfs::remove_all(folder(blocked));
  write_text(folder(blocked), "in the way");
  db_ = open_json_database({dir_, {}});
  const std::vector<std::string> aside = named(dir_ / "clients/demo", "pqueue.journal.failed-");
  ASSERT_EQ(aside.size(), 1u);
  ASSERT_EQ(of_kind(db_->problems("demo"), StorageProblem::Kind::set_aside_changes).size(), 1u);
  stdfs::remove(dir_ / "clients/demo" / aside[0]);  // The operator gives the changes up.
  EXPECT_TRUE(db_->problems("demo").empty());
}

TEST_F(JsonDatabaseRecoveryTest, AStrayFileInALogFolderIsAProblemThatStopsNothing) {
  write_text(dir_ / "clients/demo/log/notes.txt", "not a log");
  write_text(dir_ / "clients/other/log/README", "not a log either");
  const Log log;
  db_->write_log("demo", log);
  EXPECT_EQ(db_->list_logs("demo").size(), 1u);
  const auto problems = db_->problems("demo");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, StorageProblem::Kind::stray_item);
  EXPECT_EQ(problems[0].path, (dir_ / "clients/demo/log/notes.txt").string());
  EXPECT_FALSE(problems[0].stops(kJsonDbModule));
  QueueEntry e = make_entry("A");
  db_->insert_entries("demo", std::span(&e, 1));
  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), e);
  EXPECT_TRUE(stdfs::exists(dir_ / "clients/demo/log/notes.txt"));  // Left alone.
}

// A full disk, on a tmpfs of 1 MiB mounted over the test's directory.
class JsonDatabaseFullDiskTest : public JsonDatabaseRecoveryTest {
 protected:
  void SetUp() override {
    JsonDatabaseRecoveryTest::SetUp();
    db_.reset();
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=1m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    }
    mounted_ = true;
    db_ = open_json_database({dir_, {}});
  }
  void TearDown() override {
    db_.reset();
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    JsonDatabaseRecoveryTest::TearDown();
  }
  // Fills the file system: a filler file grows until a write fails.
  void fill() {
    const int fd = ::open((dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(fd, 0);
    const std::string block(4096, 'f');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    const std::string byte(1, 'f');
    while (::write(fd, byte.data(), 1) > 0) {
    }
    ::close(fd);
  }
  void free_space() { stdfs::remove(dir_ / "filler"); }
  bool mounted_ = false;
};

TEST_F(JsonDatabaseFullDiskTest, AFailedWriteLeavesNothingBehindAndTheNextOneSucceeds) {
  QueueEntry first = make_entry("FIRST");
  db_->insert_entries("demo", std::span(&first, 1));
  fill();
  QueueEntry big = make_entry("BIG");
  big.passenger.attachments[0].content = std::string(200 * 1024, 'b');
  EXPECT_THROW(db_->insert_entries("demo", std::span(&big, 1)), NoSpaceError);
  EXPECT_TRUE(durable::no_space_reason(dir_)) << "readyz must say why";
  EXPECT_FALSE(durable::no_space_reason(dir_ / "elsewhere")) << "not that directory's disk";
  EXPECT_EQ(db_->load_entry("demo", first.passenger.internal_id), first);  // Reads go on.

  free_space();
  EXPECT_FALSE(durable::no_space_reason(dir_).has_value() &&
               durable::no_space_reason(dir_)->find("no space left") != std::string::npos);
  db_->insert_entries("demo", std::span(&big, 1));  // The retry, as the next drive seats.
  QueueEntry after = make_entry("AFTER");
  db_->insert_entries("demo", std::span(&after, 1));
  EXPECT_FALSE(durable::no_space_reason(dir_));
  reopen();
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), 3u);
  EXPECT_EQ(db_->load_entry("demo", big.passenger.internal_id), big);
  EXPECT_EQ(db_->load_entry("demo", after.passenger.internal_id), after);
  EXPECT_TRUE(db_->problems("demo").empty());
}

// An append cut short by a full disk must not leave a torn record, which
// would hide every record appended after it from the replay.
TEST_F(JsonDatabaseFullDiskTest, AJournalAppendThatFailsLeavesNoTornRecord) {
  const stdfs::path path = dir_ / "test.journal";
  {
    durable::JournalFile journal(path);
    journal.append(std::vector<std::string>{"first"});
    fill();
    EXPECT_THROW(journal.append(std::vector<std::string>{std::string(64 * 1024, 'x')}),
                 NoSpaceError);
    free_space();
    journal.append(std::vector<std::string>{"after"});
  }
  EXPECT_EQ(durable::JournalFile::read(path), (std::vector<std::string>{"first", "after"}));
}

TEST_F(JsonDatabaseFullDiskTest, AJournalLeftOnAFullDiskBlocksOnlyItsClientUntilSpaceReturns) {
  QueueEntry other = make_entry("OTHER");
  db_->insert_entries("other", std::span(&other, 1));
  QueueEntry e = make_entry("A");
  e.passenger.attachments[0].content = std::string(100 * 1024, 'a');
  crash_after([&](Database& db) { db.insert_entries("demo", std::span(&e, 1)); });
  stdfs::remove_all(folder(e));  // Not durable when the crash came.
  fill();

  db_ = open_json_database({dir_, {}});  // The start is not blocked.
  EXPECT_EQ(db_->load_entry("other", other.passenger.internal_id), other);
  EXPECT_TRUE(db_->problems("other").empty());
  EXPECT_THROW(db_->load_entry("demo", e.passenger.internal_id), NoSpaceError);
  EXPECT_THROW(db_->problems("demo"), NoSpaceError);  // Tried again by every call.
  EXPECT_TRUE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  EXPECT_TRUE(durable::no_space_reason(dir_));

  free_space();  // The node goes on by itself: no restart.
  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), e);
  EXPECT_TRUE(db_->problems("demo").empty());
  EXPECT_FALSE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
}

}  // namespace
}  // namespace databus
