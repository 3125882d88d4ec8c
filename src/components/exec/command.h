// Running an external command for the exec connectors: fork and exec (no
// shell), its standard streams on pipes, a deadline, and the whole process
// group killed when the deadline passes.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace databus {

struct Command {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH. REQUIRES: not empty.
  // Where the command runs; empty: the current directory.
  std::string working_directory;
  // Set (or replaced) in the command's environment, which is otherwise ours.
  std::vector<std::pair<std::string, std::string>> environment;
  std::chrono::milliseconds timeout{60000};
};

struct CommandResult {
  int exit_status = 0;    // Valid when !signaled.
  bool signaled = false;  // Killed by a signal (not by our timeout).
  int signal = 0;
  bool stopped = false;    // The output reader stopped it (run_command with a reader).
  std::string out;         // Everything written to stdout (not with a reader).
  std::string error_tail;  // The last few KiB written to stderr.

  bool success() const { return !signaled && exit_status == 0; }
};

// Runs `command` in a process group of its own with `input` on its stdin
// (closed once written, or as soon as the command closes it) and waits for it
// to exit and close its output. Thread-safe; blocks the calling thread.
// Throws Error naming argv[0] when the command cannot be started (with the
// reason), when it outlives `timeout` (its process group is then killed) or
// when its stdout exceeds 256 MiB. A non-zero exit is not an error here:
// see the result.
CommandResult run_command(const Command& command, const std::string& input);

// Takes each piece of stdout as the command writes it (pieces split lines
// anywhere); returns false to stop reading.
using OutputReader = std::function<bool(std::string_view piece)>;

// run_command() that hands stdout to `read_output` as it comes instead of
// collecting it (no size limit then). Time spent in `read_output` does not
// count toward the timeout. When it returns false, the command's process
// group is killed and the result has `stopped` set (exit status meaningless);
// when it throws, the group is killed and the exception propagates.
CommandResult run_command(const Command& command, const std::string& input,
                          const OutputReader& read_output);

// "command 'argv0'": how messages name a command. Only argv[0], as later
// arguments may carry values taken from the environment.
std::string describe_command(const Command& command);

// Throws Error naming the command, its exit status (or signal) and the tail of
// its stderr when `result` is not a success. `secrets` are replaced by "***"
// in the message.
void check_success(const Command& command, const CommandResult& result,
                   const std::vector<std::string>& secrets);

}  // namespace databus
