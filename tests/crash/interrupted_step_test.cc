// A passenger whose step ends the process every time it runs (issue 15,
// docs/architecture.md "Interrupted steps"): `databus drive` is run again
// and again, as a service manager restarts a crashing service, and the
// process stops itself (a failpoint) whenever the step of passenger ID_1_2
// is about to run, and is killed there. The step must end quarantined with
// the error "interrupted" after its attempts, the other passenger must be
// pushed without a failure counted, and the restarts must end.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/child_process.h"
#include "crash/process_state.h"
#include "databus/builtins.h"
#include "databus/database.h"
#include "databus/factories.h"
#include "test_paths.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using cli::ChildProcess;

constexpr char kClient[] = "crashy";
constexpr char kPassenger[] = "databus.passenger.demo.demo_passenger_1";
constexpr char kProcessor[] = "databus.processor.demo.demo_processor_1";
constexpr int kMaxAttempts = 3;

class InterruptedStepTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "databus_interrupted_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(root_);
  }

  std::unique_ptr<Database> open() {
    return Factories::primal(builtin_registry())
        .database(GetParam(), DatabaseEnv{root_ / "data", {}});
  }

  fs::path root_;
};

TEST_P(InterruptedStepTest, AStepThatEndsTheProcessEveryTimeEndsQuarantined) {
  const nlohmann::json config = {
      {"passengers",
       {{{"name", kPassenger},
         {"pullers", {"databus.puller.demo.demo_puller_1"}},
         {"processors", {kProcessor}},
         {"pushers", {"databus.pusher.demo.demo_pusher_1"}},
         {"retry", {{"max_attempts", kMaxAttempts}, {"initial_delay_seconds", 0}}}}}},
      {"users", nlohmann::json::array()}};
  open()->write_client_config_text(kClient, config.dump());

  int killed = 0;
  int runs = 0;
  for (; runs < 20; ++runs) {
    setenv("DATABUS_FAILPOINTS", "drive.step.ID_1_2@1", 1);
    ChildProcess drive({DATABUS_CLI_PATH, "drive", "--data-dir", (root_ / "data").string(),
                        "--database", GetParam(), kClient, kPassenger},
                       root_ / "drive.out", root_ / "drive.err");
    unsetenv("DATABUS_FAILPOINTS");
    if (testing_support::await_stopped(drive.pid(), std::chrono::seconds(20))) {
      drive.signal(SIGKILL);  // A crash at that instant.
      ASSERT_TRUE(drive.wait_for(std::chrono::seconds(10)));
      ++killed;
      continue;
    }
    const std::optional<int> status = drive.wait_for(std::chrono::seconds(20));
    ASSERT_TRUE(status && WIFEXITED(*status)) << "run " << runs;
    break;  // The step no longer ran: the restarts end.
  }
  EXPECT_LT(runs, 20) << "the passenger crashed the process at every restart";
  // Each attempt costs at most two crashes: one in a group, one alone.
  EXPECT_GE(killed, kMaxAttempts);
  EXPECT_LE(killed, 2 * kMaxAttempts);

  std::unique_ptr<Database> db = open();
  const std::optional<std::string> bad =
      db->find_entry(kClient, kPassenger, "DEMO_SYSTEM", "ID_1_2");
  const std::optional<std::string> good =
      db->find_entry(kClient, kPassenger, "DEMO_SYSTEM", "ID_1_1");
  ASSERT_TRUE(bad && good);
  const QueueEntry crashed = *db->load_entry(kClient, *bad);
  const StepState& step = *crashed.processor(kProcessor);
  EXPECT_TRUE(step.quarantined);
  EXPECT_EQ(step.attempts, kMaxAttempts);
  EXPECT_NE(step.last_error.find("interrupted"), std::string::npos) << step.last_error;
  const QueueEntry fine = *db->load_entry(kClient, *good);
  EXPECT_TRUE(fine.complete());
  EXPECT_EQ(fine.processor(kProcessor)->attempts, 0);
  EXPECT_EQ(db->read_passenger_state(kClient, kPassenger, "running_steps"), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Engines, InterruptedStepTest, ::testing::Values("json_db", "sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace databus
