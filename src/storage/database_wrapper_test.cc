// DatabaseWrapper forwards; FaultyDatabase (testing/faulty_database.h) injects.
#include "databus/database_wrapper.h"

#include <gtest/gtest.h>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/memory/memory_database.h"
#include "storage/testing/faulty_database.h"

namespace databus {
namespace {

class CountingDatabase : public DatabaseWrapper {
 public:
  using DatabaseWrapper::DatabaseWrapper;
  void write_log(const std::string& client, const Log& log) override {
    ++writes;
    DatabaseWrapper::write_log(client, log);
  }
  int writes = 0;
};

TEST(DatabaseWrapperTest, ForwardsToABorrowedOrOwnedDatabase) {
  MemoryDatabase memory;
  CountingDatabase borrowed(memory);
  borrowed.write_client_config_text("demo", "{}");
  borrowed.write_log("demo", Log());
  EXPECT_EQ(borrowed.writes, 1);
  EXPECT_EQ(memory.client_ids(), std::vector<std::string>{"demo"});
  EXPECT_EQ(memory.list_logs("demo").size(), 1u);
  EXPECT_EQ(borrowed.engine(), "memory");
  EXPECT_EQ(&borrowed.target(), &memory);

  DatabaseWrapper owned(std::make_unique<MemoryDatabase>());
  owned.write_client_config_text("x", "{\"log_life_span\": 4}");
  EXPECT_EQ(owned.load_client("x").log_life_span, 4);
  EXPECT_EQ(owned.target().read_client_config_text("x"), "{\"log_life_span\": 4}");
}

TEST(DatabaseWrapperTest, ForwardsTheVersionedConfigurationCalls) {
  MemoryDatabase memory;
  DatabaseWrapper wrapper(memory);
  wrapper.write_client_config_text("demo", "{}");
  const ConfigVersion loaded = wrapper.read_client_config_versioned("demo").version;
  EXPECT_EQ(loaded.tag, memory.read_client_config_versioned("demo").version.tag);
  const ConfigVersion saved =
      wrapper.write_client_config_text_if("demo", "{\"log_life_span\": 2}", loaded.tag, "alice");
  EXPECT_EQ(memory.read_client_config_versioned("demo").version.tag, saved.tag);
  EXPECT_THROW(wrapper.write_client_config_text_if("demo", "{}", loaded.tag, "bob"),
               EditConflictError);

  FaultyDatabase faulty(memory);
  faulty.fail_all_writes();
  EXPECT_THROW(faulty.write_client_config_text_if("demo", "{}", saved.tag, "carol"), StorageError);
  EXPECT_EQ(memory.read_client_config_text("demo"), "{\"log_life_span\": 2}");
}

TEST(FaultyDatabaseTest, FailsTheNthWriteOnly) {
  MemoryDatabase memory;
  FaultyDatabase db(memory);
  db.fail_nth_write(2);
  db.write_client_config_text("a", "{}");
  EXPECT_THROW(db.write_client_config_text("b", "{}"), StorageError);
  db.write_client_config_text("c", "{}");
  EXPECT_EQ(memory.client_ids(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(db.faults(), 1);
}

TEST(FaultyDatabaseTest, FailsAMethodUntilHealed) {
  MemoryDatabase memory;
  FaultyDatabase db(memory);
  db.fail_method("query_entries");
  EXPECT_THROW(db.query_entries("demo", EntryQuery{}), StorageError);
  EXPECT_THROW(db.query_entries("demo", EntryQuery{}), StorageError);
  EXPECT_EQ(db.count_entries("demo", EntryQuery{}), 0u);
  db.fail_all_writes();
  EXPECT_THROW(db.write_log("demo", Log()), StorageError);
  EXPECT_TRUE(memory.list_logs("demo").empty());
  db.heal();
  EXPECT_TRUE(db.query_entries("demo", EntryQuery{}).empty());
  db.write_log("demo", Log());
  EXPECT_EQ(db.faults(), 3);
}

}  // namespace
}  // namespace databus
