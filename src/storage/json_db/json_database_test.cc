// The JSON DB: the conformance suite, plus what only a file engine promises
// (layout, exclusive use, persistence, crash leftovers, malformed files).
#include "storage/json_db/json_database.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "storage/database_conformance.h"
#include "storage/json_db/json_db_test_support.h"
#include "storage/json_db/passenger_codec.h"

namespace databus {

INSTANTIATE_TEST_SUITE_P(JsonDb, DatabaseConformanceTest,
                         testing::Values(ConformanceEngine{"json_db",
                                                           [](const std::filesystem::path& dir) {
                                                             return open_json_database({dir, {}});
                                                           }}),
                         ConformanceEngine::name_of);

namespace {

namespace stdfs = std::filesystem;
using namespace testing_support;
const std::string& kModule = kJsonDbModule;

QueueEntry make_entry(const std::string& external_id) { return make_json_db_entry(external_id); }

void write_text(const stdfs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class JsonDatabaseTest : public JsonDbTest {
 protected:
  std::set<std::string> external_ids() {
    std::set<std::string> ids;
    for (const auto& e : db_->query_entries("demo", EntryQuery{})) {
      ids.insert(e.passenger.external_id);
    }
    return ids;
  }
  std::vector<QueueEntry> insert(std::vector<std::string> external_ids) {
    std::vector<QueueEntry> entries;
    for (const auto& id : external_ids) entries.push_back(make_entry(id));
    db_->insert_entries("demo", entries);
    return entries;
  }
};

TEST_F(JsonDatabaseTest, FilesFollowTheLayout) {
  db_->write_client_config_text("demo", "{}");
  QueueEntry e = insert({"A"})[0];
  Log log(new_uuid(), parse_iso("2020-04-15T17:12:00.139335"));
  log.info("test", "hello");
  db_->write_log("demo", log);
  db_->write_backup("demo", "__databus__", "{}");

  EXPECT_TRUE(stdfs::is_regular_file(dir_ / "clients/demo/config.json"));
  const stdfs::path entry = pqueue() / e.passenger.internal_id;
  EXPECT_EQ(durable::read_file(entry / "attachments/body.txt"), "hello A");
  const std::string json = durable::read_file(entry / "passenger.json");
  EXPECT_EQ(json.rfind(R"({"external_id": "A", "internal_id": ")" + e.passenger.internal_id +
                           R"(", "source_system": "DEMO_SYSTEM", )",
                       0),
            0u)
      << json;
  EXPECT_EQ(durable::read_file(dir_ / "clients/demo/log" /
                               ("2020-04-15T17_12_00.139335_" + log.guid() + ".txt")),
            log.to_text());
  ASSERT_EQ(db_->list_backups("demo").size(), 1u);
  EXPECT_TRUE(stdfs::is_regular_file(dir_ / "clients/demo/backup" /
                                     (db_->list_backups("demo")[0].id + ".json")));
  // No temporary file is left anywhere.
  for (const auto& item : stdfs::recursive_directory_iterator(dir_)) {
    EXPECT_FALSE(durable::is_temporary_name(item.path().filename().string())) << item.path();
  }
}

TEST_F(JsonDatabaseTest, ASecondOpenOfTheDirectoryIsRefused) {
  try {
    open_json_database({dir_, {}});
    FAIL() << "second open succeeded";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("data directory " + dir_.string() +
                                         " is in use by another Databus process (pid " +
                                         std::to_string(::getpid()) + ")"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(durable::read_file(dir_ / ".lock"), std::to_string(::getpid()) + "\n");
  db_.reset();
  EXPECT_NO_THROW(db_ = open_json_database({dir_, {}}));
}

TEST_F(JsonDatabaseTest, ArgumentsChooseThePathAndUnknownOnesAreRefused) {
  const stdfs::path other = dir_ / "elsewhere";
  auto db = open_json_database({dir_ / "unused", {{"path", other.string()}}});
  db->write_client_config_text("x", "{}");
  EXPECT_TRUE(stdfs::exists(other / "clients/x/config.json"));
  EXPECT_FALSE(stdfs::exists(dir_ / "unused"));
  try {
    open_json_database({dir_ / "unused", {{"host", "db.example.com"}}});
    FAIL() << "unknown argument accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "host");
  }
  EXPECT_EQ(json_database_spec().name, "json_db");
  EXPECT_EQ(json_database_spec().aliases,
            std::vector<std::string>{"databus.database.json_db.json_database"});
}

TEST_F(JsonDatabaseTest, ReopeningSeesEverythingWritten) {
  db_->write_client_config_text("demo", demo_client_config().to_json().dump());
  std::vector<QueueEntry> entries = insert({"A", "B"});
  entries[1].puller_notified = true;
  entries[1].processor_statuses[0].status = StepStatus::complete;
  entries[1].processor_statuses[0].attempts = 0;
  entries[1].pusher_statuses[0] = {"databus.pusher.demo.demo_pusher_1", StepStatus::incomplete, 2,
                                   "timeout"};
  entries[1].passenger.add_attachment("more.bin", AttachmentFormat::binary,
                                      std::string("\0\xff", 2));
  db_->update_entries("demo", std::span(&entries[1], 1), SaveScope::everything);
  Log log(new_uuid(), parse_iso("2021-02-03T04:05:06.070809"));
  log.warning("test", "careful");
  db_->write_log("demo", log);
  db_->write_backup("demo", "__databus__", "{}");

  reopen();
  EXPECT_EQ(db_->load_client("demo"), demo_client_config());
  EXPECT_EQ(db_->load_entry("demo", entries[0].passenger.internal_id), entries[0]);
  EXPECT_EQ(db_->load_entry("demo", entries[1].passenger.internal_id), entries[1]);
  EntryQuery push_due;
  push_due.filter = EntryFilter::push_due;
  EXPECT_EQ(db_->count_entries("demo", push_due), 1u);
  EXPECT_EQ(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "A"), entries[0].passenger.internal_id);
  EXPECT_EQ(db_->read_log("demo", log.guid()), log);
  ASSERT_EQ(db_->list_logs("demo").size(), 1u);
  EXPECT_EQ(db_->list_logs("demo")[0].worst_type, LogType::warning);
  EXPECT_EQ(db_->list_backups("demo").size(), 1u);
}

TEST_F(JsonDatabaseTest, UpdateEverythingRemovesAttachmentFilesNoLongerListed) {
  QueueEntry e = insert({"A"})[0];
  e.passenger.attachments.clear();
  e.passenger.add_attachment("new.txt", AttachmentFormat::text, "new");
  db_->update_entries("demo", std::span(&e, 1), SaveScope::everything);
  const stdfs::path attachments = pqueue() / e.passenger.internal_id / "attachments";
  EXPECT_FALSE(stdfs::exists(attachments / "body.txt"));
  EXPECT_EQ(durable::read_file(attachments / "new.txt"), "new");
}

TEST_F(JsonDatabaseTest, DeletedEntriesLeaveNoFiles) {
  QueueEntry e = insert({"A"})[0];
  e.complete_all_steps();
  e.puller_notified = true;
  db_->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  EXPECT_EQ(db_->delete_complete_entries("demo", kModule, Clock::now()), 1u);
  EXPECT_TRUE(stdfs::is_empty(pqueue()));
}

TEST_F(JsonDatabaseTest, CrashLeftoversAreIgnoredAndRemoved) {
  insert({"A"});
  db_.reset();
  // A half-built new entry and a half-written replacement file.
  const stdfs::path staging = pqueue() / (new_uuid() + ".tmp-1234abcd");
  stdfs::create_directories(staging / "attachments");
  write_text(staging / "passenger.json", "{\"external_id\": \"HALF");
  write_text(dir_ / "clients/demo/config.json.tmp-99", "{ half");
  db_ = open_json_database({dir_, {}});
  EXPECT_EQ(external_ids(), std::set<std::string>{"A"});
  EXPECT_TRUE(db_->problems("demo").empty());
  EXPECT_FALSE(stdfs::exists(staging));
}

// A process that dies after its writes returned (no destructor runs): the
// journal holds what the files may not have made durable yet.
TEST_F(JsonDatabaseTest, TheJournalRedoesWhatACrashLeftUndoneAndIsThenRemoved) {
  QueueEntry a = make_entry("A"), b = make_entry("B"), gone = make_entry("GONE");
  gone.passenger.pull_datetime = parse_iso("2022-11-06T22:00:00");
  crash_after([&](Database& db) {
    std::vector<QueueEntry> entries{a, b, gone};
    db.insert_entries("demo", entries);
    a.puller_notified = true;
    a.complete_all_steps();
    db.update_entries("demo", std::span(&a, 1), SaveScope::statuses);
    gone.puller_notified = true;
    gone.complete_all_steps();
    db.update_entries("demo", std::span(&gone, 1), SaveScope::statuses);
    db.delete_complete_entries("demo", kModule, parse_iso("2022-11-06T22:10:00"));
  });
  ASSERT_TRUE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  // What a power loss may leave of files that were never synced.
  const stdfs::path dir_a = pqueue() / a.passenger.internal_id;
  write_text(dir_a / "passenger.json", "{\"external_id\": \"A\", \"inter");
  stdfs::remove_all(pqueue() / b.passenger.internal_id);
  stdfs::create_directories(pqueue() / gone.passenger.internal_id);  // Deletion lost.

  db_ = open_json_database({dir_, {}});
  EXPECT_FALSE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  EXPECT_FALSE(stdfs::exists(pqueue() / gone.passenger.internal_id));
  EXPECT_TRUE(db_->problems("demo").empty());
  EXPECT_EQ(external_ids(), (std::set<std::string>{"A", "B"}));
  std::optional<QueueEntry> stored_a = db_->load_entry("demo", a.passenger.internal_id);
  ASSERT_TRUE(stored_a);
  EXPECT_TRUE(stored_a->complete());
  std::optional<QueueEntry> stored_b = db_->load_entry("demo", b.passenger.internal_id);
  ASSERT_TRUE(stored_b);
  EXPECT_EQ(stored_b->passenger.attachments, b.passenger.attachments);
  EXPECT_FALSE(stored_b->complete());
}

TEST_F(JsonDatabaseTest, ClosingLeavesOnlyTheLayoutAndStatusWritesKeepTheFiles) {
  QueueEntry e = insert({"A"})[0];
  const stdfs::path json = pqueue() / e.passenger.internal_id / "passenger.json";
  struct stat before;
  ASSERT_EQ(::stat(json.c_str(), &before), 0);
  e.puller_notified = true;
  e.complete_all_steps();
  db_->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  struct stat after;
  ASSERT_EQ(::stat(json.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // Rewritten in place: no new inode.
  EXPECT_TRUE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  db_.reset();
  EXPECT_FALSE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  // What is left parses as it always did (trailing blanks allowed).
  EXPECT_TRUE(decode_passenger_json(durable::read_file(json), json.string()).complete());
  db_ = open_json_database({dir_, {}});
  EXPECT_TRUE(db_->load_entry("demo", e.passenger.internal_id)->complete());
}

TEST_F(JsonDatabaseTest, MalformedEntriesAreReportedAndLeftOnDisk) {
  std::vector<QueueEntry> entries = insert({"good", "not_json", "no_field", "no_attachment"});
  db_.reset();
  auto dir_of = [&](int i) { return pqueue() / entries[i].passenger.internal_id; };
  write_text(dir_of(1) / "passenger.json", "{ not json");
  std::string text = durable::read_file(dir_of(2) / "passenger.json");
  text.replace(text.find("\"source_system\""), 15, "\"source_systen\"");
  write_text(dir_of(2) / "passenger.json", text);
  stdfs::remove(dir_of(3) / "attachments/body.txt");
  stdfs::create_directories(pqueue() / "not-a-uuid");

  db_ = open_json_database({dir_, {}});
  EXPECT_EQ(external_ids(), std::set<std::string>{"good"});
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), 1u);
  std::vector<StorageProblem> problems = db_->problems("demo");
  ASSERT_EQ(problems.size(), 4u);
  std::map<std::string, std::string> by_path;
  for (const auto& p : problems) {
    EXPECT_EQ(p.client_id, "demo");
    by_path[p.path] = p.message;
  }
  EXPECT_NE(by_path[(dir_of(1) / "passenger.json").string()].find("JSON"), std::string::npos);
  EXPECT_NE(by_path[(dir_of(2) / "passenger.json").string()].find("'source_system'"),
            std::string::npos);
  EXPECT_NE(by_path[(dir_of(3) / "passenger.json").string()].find("body.txt"), std::string::npos);
  EXPECT_EQ(by_path.count((pqueue() / "not-a-uuid").string()), 1u);
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(stdfs::exists(dir_of(i) / "passenger.json"));
  // Everything else goes on.
  insert({"later"});
  EXPECT_EQ(external_ids(), (std::set<std::string>{"good", "later"}));
}

TEST_F(JsonDatabaseTest, QueriesUseTheIndexInsteadOfRescanning) {
  std::vector<QueueEntry> entries = insert({"A", "B", "C"});
  EXPECT_EQ(external_ids(), (std::set<std::string>{"A", "B", "C"}));  // Index built.
  // Behind the engine's back: one entry vanishes, a foreign one appears.
  stdfs::remove(pqueue() / entries[1].passenger.internal_id / "passenger.json");
  QueueEntry foreign = make_entry("FOREIGN");
  stdfs::copy(pqueue() / entries[0].passenger.internal_id, pqueue() / foreign.passenger.internal_id,
              stdfs::copy_options::recursive);
  EXPECT_EQ(external_ids(), (std::set<std::string>{"A", "C"}));
  EXPECT_FALSE(db_->load_entry("demo", foreign.passenger.internal_id));
  ASSERT_EQ(db_->problems("demo").size(), 1u);
  EXPECT_EQ(db_->problems("demo")[0].path,
            (pqueue() / entries[1].passenger.internal_id / "passenger.json").string());
}

TEST_F(JsonDatabaseTest, LockIsHeldAgainstOtherProcesses) {
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  const stdfs::path shared = dir_ / "shared";
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int status = 0;
    try {
      auto db = open_json_database({shared, {}});
      char c = 'x';
      (void)!::write(ready[1], &c, 1);
      (void)!::read(done[0], &c, 1);  // Hold the lock until the parent has tried.
    } catch (...) {
      status = 1;
    }
    ::_exit(status);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  try {
    open_json_database({shared, {}});
    ADD_FAILURE() << "opened a directory another process holds";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("(pid " + std::to_string(child) + ")"), std::string::npos)
        << e.what();
  }
  (void)!::write(done[1], &c, 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NO_THROW(open_json_database({shared, {}}));  // Released when the holder exits.
  for (int fd : {ready[0], ready[1], done[0], done[1]}) ::close(fd);
}

}  // namespace
}  // namespace databus
