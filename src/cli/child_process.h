// ChildProcess: a program started with fork/exec, for the tests that run the
// `databus` binary (src/cli/cli_test.cc, tests/crash/crash_test.cc). Not part
// of the program itself.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace databus::cli {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`, stdout and stderr appended to the given
  // files (created when missing), stdin from /dev/null, working directory
  // `cwd` (empty: the caller's). Throws std::runtime_error when fork fails;
  // a failing exec shows as exit code 127.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& out,
               const std::filesystem::path& err, const std::filesystem::path& cwd = {});
  // Kills (SIGKILL) and reaps the child if it still runs.
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Sends `signal` to the child unless it has been reaped.
  void signal(int signal);

  // Waits up to `timeout` for the child to end. Returns its wait status
  // (see waitpid), or nothing when it still runs.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// The outcome of a program run to its end.
struct ProgramResult {
  int exit_code = -1;  // -1 when it did not exit normally.
  std::string out;
  std::string err;
};

// Runs `argv` to its end (at most `timeout`, then SIGKILL and exit_code -1)
// and returns its exit code and output. Output goes through files in
// `scratch`, which must exist.
ProgramResult run_program(const std::vector<std::string>& argv,
                          const std::filesystem::path& scratch,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::filesystem::path& cwd = {});

}  // namespace databus::cli
