// A drive's log survives a store that fails: kept by the LogSpool, in memory
// and in a spool file, and stored at a later drive or after a restart.
#include "dispatcher/log_spool.h"

#include <gtest/gtest.h>

#include "databus/dispatcher.h"
#include "databus/uuid.h"
#include "dispatcher/dispatcher_test_support.h"
#include "storage/testing/faulty_database.h"

namespace databus::dispatch {
namespace {

using namespace testing;
namespace fs = std::filesystem;

class LogSpoolTest : public ::testing::Test {
 protected:
  LogSpoolTest() : dir_(fs::path(::testing::TempDir()) / ("databus_log_spool_" + new_uuid())) {
    memory_.write_client_config_text("c", config_text({{kPassengerA, 3600}}));
  }
  ~LogSpoolTest() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static Log a_log() {
    Log log;
    log.info("test", "first line");
    log.error("test", "an error\nwith a line break");
    return log;
  }
  std::size_t files() const {
    std::error_code ec;
    if (!fs::is_directory(dir_ / kLogSpoolFolder, ec)) return 0;
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(dir_ / kLogSpoolFolder), fs::directory_iterator()));
  }

  fs::path dir_;
  MemoryDatabase memory_;
  FaultyDatabase faulty_{memory_};
};

TEST_F(LogSpoolTest, ALogTheStoreRefusesIsKeptAndStoredLater) {
  LogSpool spool(dir_ / kLogSpoolFolder);
  faulty_.fail_method("write_log");
  const Log log = a_log();
  spool.store(faulty_, "c", log);
  EXPECT_EQ(spool.waiting(), 1u);
  EXPECT_EQ(files(), 1u);
  EXPECT_FALSE(memory_.read_log("c", log.guid()));

  EXPECT_EQ(spool.retry(faulty_), 1u);  // Still down.
  faulty_.heal();
  const Log next = a_log();
  spool.store(faulty_, "c", next);  // The next drive's log, after the kept one.

  EXPECT_EQ(spool.waiting(), 0u);
  EXPECT_EQ(files(), 0u);
  EXPECT_EQ(memory_.read_log("c", log.guid()), log);
  EXPECT_EQ(memory_.read_log("c", next.guid()), next);
}

TEST_F(LogSpoolTest, KeptLogsSurviveARestart) {
  const Log log = a_log();
  {
    LogSpool spool(dir_ / kLogSpoolFolder);
    faulty_.fail_all_writes();
    spool.store(faulty_, "c", log);
  }  // The process ends with the store still down.
  faulty_.heal();
  LogSpool again(dir_ / kLogSpoolFolder);
  EXPECT_EQ(again.waiting(), 1u);
  EXPECT_EQ(again.retry(faulty_), 0u);
  const std::optional<Log> stored = memory_.read_log("c", log.guid());
  ASSERT_TRUE(stored);
  // The spool file keeps times to the microsecond, as the JSON DB does.
  EXPECT_LT(std::chrono::abs(stored->created() - log.created()), std::chrono::microseconds(1));
  EXPECT_EQ(stored->entries().size(), 2u);
  EXPECT_EQ(stored->entries()[1].message, "an error\nwith a line break");
  EXPECT_EQ(stored->entries()[1].type, LogType::error);
  EXPECT_EQ(files(), 0u);
}

TEST_F(LogSpoolTest, TheLogOfAClientThatNoLongerExistsIsDropped) {
  LogSpool spool(dir_ / kLogSpoolFolder);
  faulty_.fail_method("write_log");
  spool.store(faulty_, "gone", a_log());
  faulty_.heal();
  EXPECT_EQ(spool.retry(faulty_), 0u);
  EXPECT_EQ(files(), 0u);
}

// End to end: the store stops in the middle of a drive (every write fails
// from then on); the drive's log is kept, and the next drive after the store
// is back stores both.
TEST_F(LogSpoolTest, ADrivesLogSurvivesTheStoreStoppingMidDrive) {
  auto hooks = std::make_shared<DriveHooks>();
  FaultyDatabase* faulty = nullptr;
  DispatcherTicket ticket = test_ticket(test_registry(hooks));
  ticket.data_dir = dir_;
  ticket.database_factory = [&faulty](const std::string&, const DatabaseEnv&) {
    auto db = std::make_unique<FaultyDatabase>(std::make_unique<MemoryDatabase>());
    faulty = db.get();
    return std::unique_ptr<Database>(std::move(db));
  };
  Dispatcher dispatcher(std::move(ticket));
  ASSERT_NE(faulty, nullptr);
  dispatcher.database().write_client_config_text("c", config_text({{kPassengerA, 3600}}));
  bool stop_the_store = true;
  const auto hooked = hooks->hook([&](const DriveRequest& request) {
    if (!stop_the_store) return;
    request.log->info("test", "before the store stopped");
    faulty->fail_all_writes();
    request.log->error("test", "the store stopped");
  });

  const Log first = dispatcher.drive_now("c", kPassengerA);
  EXPECT_FALSE(dispatcher.database().read_log("c", first.guid()));
  EXPECT_EQ(files(), 1u);

  faulty->heal();
  stop_the_store = false;
  const Log second = dispatcher.drive_now("c", kPassengerA);
  const std::optional<Log> stored = dispatcher.database().read_log("c", first.guid());
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, first);
  EXPECT_TRUE(dispatcher.database().read_log("c", second.guid()));
  EXPECT_EQ(files(), 0u);
}

}  // namespace
}  // namespace databus::dispatch
