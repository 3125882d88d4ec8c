// The JSON DB's batches, whose entries' files are written on several threads
// (FileWorkers): an entry that fails is reported while the rest of its batch
// is written, and what a crash leaves of a parallel batch is redone by the
// journal's replay.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "storage/json_db/json_database.h"
#include "storage/json_db/json_db_test_support.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;
using namespace testing_support;
const std::string& kModule = kJsonDbModule;
// Enough entries for the workers to take part (FileWorkers runs smaller
// batches on the caller alone).
constexpr int kBatch = 64;

QueueEntry make_entry(int n) { return make_json_db_entry("E" + std::to_string(n)); }

std::vector<QueueEntry> make_entries() {
  std::vector<QueueEntry> entries;
  for (int i = 0; i < kBatch; ++i) entries.push_back(make_entry(i));
  return entries;
}

class JsonDatabaseBatchTest : public JsonDbTest {
 protected:
  stdfs::path folder(const QueueEntry& e) const { return pqueue() / e.passenger.internal_id; }
};

TEST_F(JsonDatabaseBatchTest, AnInsertReportsTheEntryItCouldNotWriteAndKeepsTheOthers) {
  std::vector<QueueEntry> entries = make_entries();
  stdfs::create_directories(pqueue());
  // A plain file where entry 10's folder must go: its rename fails.
  std::ofstream(folder(entries[10])) << "in the way";
  try {
    db_->insert_entries("demo", entries);
    FAIL() << "insert succeeded";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find(entries[10].passenger.internal_id), std::string::npos)
        << e.what();
  }
  for (int i = 0; i < kBatch; ++i) {
    if (i == 10) continue;
    EXPECT_EQ(db_->load_entry("demo", entries[i].passenger.internal_id), entries[i]) << i;
  }
  EXPECT_FALSE(db_->load_entry("demo", entries[10].passenger.internal_id));
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), static_cast<std::size_t>(kBatch - 1));

  // The journal still holds it: once the way is clear, a reopen brings it.
  db_.reset();
  stdfs::remove(folder(entries[10]));
  db_ = open_json_database({dir_, {}});
  EXPECT_EQ(db_->load_entry("demo", entries[10].passenger.internal_id), entries[10]);
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), static_cast<std::size_t>(kBatch));
}

TEST_F(JsonDatabaseBatchTest, AStatusBatchThatCannotReadAnEntryWritesNothing) {
  std::vector<QueueEntry> entries = make_entries();
  db_->insert_entries("demo", entries);
  for (QueueEntry& e : entries) {
    e.puller_notified = true;
    e.complete_all_steps();
  }
  stdfs::remove_all(folder(entries[3]));  // Behind the engine's back.
  try {
    db_->update_entries("demo", entries, SaveScope::statuses);
    FAIL() << "update succeeded";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find(entries[3].passenger.internal_id), std::string::npos)
        << e.what();
  }
  for (int i = 0; i < kBatch; ++i) {
    if (i == 3) continue;
    EXPECT_FALSE(db_->load_entry("demo", entries[i].passenger.internal_id)->complete()) << i;
  }
}

TEST_F(JsonDatabaseBatchTest, AnUpdateReportsTheEntryItCouldNotWriteAndWritesTheOthers) {
  std::vector<QueueEntry> entries = make_entries();
  db_->insert_entries("demo", entries);
  for (QueueEntry& e : entries) {
    e.puller_notified = true;
    e.complete_all_steps();
  }
  // Entry 10's folder replaced by a plain file: its new folder cannot be
  // renamed into place.
  stdfs::remove_all(folder(entries[10]));
  std::ofstream(folder(entries[10])) << "in the way";
  try {
    db_->update_entries("demo", entries, SaveScope::everything);
    FAIL() << "update succeeded";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find(entries[10].passenger.internal_id), std::string::npos)
        << e.what();
  }
  for (int i = 0; i < kBatch; ++i) {
    if (i == 10) continue;
    EXPECT_EQ(db_->load_entry("demo", entries[i].passenger.internal_id), entries[i]) << i;
  }
}

TEST_F(JsonDatabaseBatchTest, SeveralFailuresOfABatchAreCountedInOneError) {
  std::vector<QueueEntry> entries = make_entries();
  stdfs::create_directories(pqueue());
  for (int i : {5, 20, 33}) std::ofstream(folder(entries[i])) << "in the way";
  try {
    db_->insert_entries("demo", entries);
    FAIL() << "insert succeeded";
  } catch (const StorageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("3 of 64 entries"), std::string::npos) << what;
    EXPECT_NE(what.find(entries[5].passenger.internal_id), std::string::npos) << what;
  }
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), static_cast<std::size_t>(kBatch - 3));
}

// A process that dies right after its parallel batches returned: the files
// it wrote were never synced, and a power loss may have torn or lost any of
// them; the journal's replay rewrites them all.
TEST_F(JsonDatabaseBatchTest, ACrashAfterParallelBatchesLosesNothing) {
  std::vector<QueueEntry> entries = make_entries();
  crash_after([&](Database& db) {
    db.insert_entries("demo", entries);
    for (QueueEntry& e : entries) e.puller_notified = true;
    db.update_entries("demo", entries, SaveScope::statuses);
    for (QueueEntry& e : entries) e.complete_all_steps();
    db.update_entries("demo", entries, SaveScope::statuses);
  });
  ASSERT_TRUE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  for (int i = 0; i < kBatch; i += 3) {
    if (i % 2 == 0) {
      std::ofstream(folder(entries[i]) / "passenger.json") << "{\"external_id\": \"E";
    } else {
      stdfs::remove_all(folder(entries[i]));
    }
  }

  db_ = open_json_database({dir_, {}});
  EXPECT_FALSE(stdfs::exists(dir_ / "clients/demo/pqueue.journal"));
  EXPECT_TRUE(db_->problems("demo").empty());
  for (const QueueEntry& e : entries) {
    std::optional<QueueEntry> stored = db_->load_entry("demo", e.passenger.internal_id);
    ASSERT_TRUE(stored) << e.passenger.external_id;
    EXPECT_TRUE(stored->complete()) << e.passenger.external_id;
    EXPECT_TRUE(stored->puller_notified);
    EXPECT_EQ(stored->passenger.attachments, e.passenger.attachments);
  }
}

}  // namespace
}  // namespace databus
