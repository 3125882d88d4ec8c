// run_command() against real programs.
#include "components/exec/command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

Command sh(const std::string& script, int timeout_ms = 20000) {
  Command c;
  c.argv = {"/bin/sh", "-c", script};
  c.timeout = std::chrono::milliseconds(timeout_ms);
  return c;
}

std::string error_of(const Command& c, const std::string& input = "") {
  try {
    run_command(c, input);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CommandTest, PassesInputAndCollectsOutput) {
  Command cat;
  cat.argv = {"cat"};
  std::string big(3 * 1024 * 1024, 'x');  // Beyond pipe buffers both ways.
  big[12345] = '\0';
  const CommandResult r = run_command(cat, big);
  EXPECT_TRUE(r.success());
  EXPECT_EQ(r.out, big);
}

TEST(CommandTest, ReportsExitStatusAndStderrTail) {
  const CommandResult r = run_command(sh("echo out; echo oops >&2; exit 3"), "");
  EXPECT_FALSE(r.success());
  EXPECT_EQ(r.exit_status, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.error_tail, "oops\n");
  Command f = sh("echo token=abc >&2; exit 4");
  try {
    check_success(f, run_command(f, ""), {"abc"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("command '/bin/sh' exited with status 4"));
    EXPECT_THAT(e.what(), HasSubstr("token=***"));
  }
  Command no;
  no.argv = {"false"};
  EXPECT_EQ(run_command(no, "ignored input").exit_status, 1);
}

TEST(CommandTest, UsesWorkingDirectoryAndEnvironment) {
  const fs::path dir = fs::path(testing::TempDir()) / ("databus_command_" + new_uuid());
  fs::create_directories(dir);
  Command c = sh("pwd; printf '%s' \"$DATABUS_TEST_A\"");
  c.working_directory = dir.string();
  c.environment = {{"DATABUS_TEST_A", "a b"}};
  const CommandResult r = run_command(c, "");
  EXPECT_EQ(r.out, fs::canonical(dir).string() + "\na b");
  fs::remove_all(dir);
}

TEST(CommandTest, UnstartableCommandsNameTheProgram) {
  Command c;
  c.argv = {"databus-no-such-program"};
  EXPECT_THAT(error_of(c), HasSubstr("cannot run command 'databus-no-such-program'"));
  Command d = sh("true");
  d.working_directory = "/nonexistent/databus";
  EXPECT_THAT(error_of(d), HasSubstr("No such file"));
}

TEST(CommandTest, TimeoutKillsTheWholeProcessGroup) {
  const fs::path pid_file = fs::path(testing::TempDir()) / ("databus_pid_" + new_uuid());
  // A background child keeps stdout open; the parent ignores stdin.
  Command c = sh("sleep 60 & echo $! > " + pid_file.string() + "; echo started >&2; wait", 300);
  const std::string error = error_of(c, "input nobody reads");
  EXPECT_THAT(error, HasSubstr("timed out after 300 ms"));
  EXPECT_THAT(error, HasSubstr("started"));
  std::string pid_text;
  std::ifstream(pid_file) >> pid_text;
  fs::remove(pid_file);
  ASSERT_FALSE(pid_text.empty());
  const pid_t child = std::stoi(pid_text);
  // SIGKILL is delivered asynchronously; the orphan may stay a zombie when
  // nothing reaps it, which counts as gone.
  auto dead = [child] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string pid, name, state;
    if (!(stat >> pid >> name >> state)) return true;
    return state == "Z" || state == "X";
  };
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = dead();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "background child " << child << " survived";
}

TEST(CommandTest, CommandClosingStdinEarlyIsNoError) {
  const CommandResult r = run_command(sh("exec 0<&-; echo done"), std::string(1 << 20, 'y'));
  EXPECT_TRUE(r.success());
  EXPECT_EQ(r.out, "done\n");
}

// The command waits for a file the reader creates when it has seen "first":
// a reader given stdout only after the command ended would never see it, and
// the command would time out.
TEST(CommandTest, AReaderGetsStdoutWhileTheCommandRunsAndCanStopIt) {
  const fs::path seen = fs::path(testing::TempDir()) / ("databus_seen_" + new_uuid());
  std::string got;
  const CommandResult r = run_command(sh("echo first; while [ ! -e '" + seen.string() +
                                         "' ]; do sleep 0.01; done; "
                                         "echo second; exec sleep 100"),
                                      "", [&](std::string_view piece) {
                                        got.append(piece);
                                        if (got == "first\n") std::ofstream(seen) << "seen";
                                        return got.find("second\n") == std::string::npos;
                                      });
  fs::remove(seen);
  EXPECT_EQ(got, "first\nsecond\n");
  EXPECT_TRUE(r.stopped);
  EXPECT_TRUE(r.out.empty());
}

TEST(CommandTest, WhatAReaderThrowsKillsTheCommandAndPropagates) {
  EXPECT_THROW(run_command(sh("echo x; exec sleep 100"), "",
                           [](std::string_view) -> bool { throw std::runtime_error("full"); }),
               std::runtime_error);
}

}  // namespace
}  // namespace databus
