// The process log of the `databus` program (docs/operations.md "Process
// logs"): --log-format and --log-level, before or after the command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/child_process.h"
#include "test_paths.h"

namespace databus::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class CliLoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "databus_cli_log_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Starts `databus` with `args`, waits until it runs, stops it with
  // SIGTERM and returns its stderr.
  std::string run_and_stop(std::vector<std::string> args) {
    // Files of their own per run: "running" in an earlier run's output
    // would send the signal before this one handles it.
    const std::string name = "run" + std::to_string(++runs_);
    const fs::path out = dir_ / (name + ".out"), err = dir_ / (name + ".err");
    args.insert(args.begin(), DATABUS_CLI_PATH);
    ChildProcess run(args, out, err);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (read(out).find("running") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_THAT(read(out), HasSubstr("running")) << read(err);
    run.signal(SIGTERM);
    const std::optional<int> status = run.wait_for(std::chrono::seconds(60));
    EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << read(err);
    return read(err);
  }

  fs::path dir_;
  int runs_ = 0;
};

TEST_F(CliLoggingTest, JsonFormatAfterTheCommandWritesOneObjectALine) {
  const std::string err = run_and_stop(
      {"run", "--no-web", "--data-dir", (dir_ / "data").string(), "--log-format", "json"});
  std::istringstream lines(err);
  bool found = false;
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);  // Throws on a line that is no JSON.
    if (j["component"] == "run") {
      found = true;
      EXPECT_EQ(j["level"], "info");
      EXPECT_THAT(j["message"].get<std::string>(), HasSubstr("SIGTERM received"));
      EXPECT_TRUE(j.contains("time"));
    }
  }
  EXPECT_TRUE(found) << err;
}

TEST_F(CliLoggingTest, LevelBeforeTheCommandDropsLesserMessages) {
  const std::string err = run_and_stop(
      {"--log-level", "warning", "run", "--no-web", "--data-dir", (dir_ / "data").string()});
  EXPECT_THAT(err, Not(HasSubstr("SIGTERM received")));
  const std::string text =
      run_and_stop({"run", "--no-web", "--data-dir", (dir_ / "data2").string()});
  EXPECT_THAT(text, HasSubstr("info    [run] SIGTERM received"));
}

TEST_F(CliLoggingTest, AnUnknownLevelOrFormatIsAUsageError) {
  for (const char* flag : {"--log-level", "--log-format"}) {
    const ProgramResult r = run_program(
        {DATABUS_CLI_PATH, flag, "loud", "check", "--data-dir", (dir_ / "data").string()}, dir_);
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_THAT(r.err, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace databus::cli
