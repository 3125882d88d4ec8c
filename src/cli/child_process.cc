#include "cli/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace databus::cli {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& out,
                           const std::filesystem::path& err, const std::filesystem::path& cwd) {
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls are allowed in a multithreaded parent.
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const std::string out_path = out.string();
  const std::string err_path = err.string();
  const std::string cwd_path = cwd.string();

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed for " + argv.at(0));
  if (pid_ == 0) {
    const int in_fd = open("/dev/null", O_RDONLY);
    const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0) _exit(127);
    dup2(in_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    if (!cwd_path.empty() && chdir(cwd_path.c_str()) != 0) _exit(127);
    // The child starts with no signal blocked, whatever the test did.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void ChildProcess::signal(int signal) {
  if (pid_ > 0 && !status_) kill(pid_, signal);
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = status;
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ProgramResult run_program(const std::vector<std::string>& argv,
                          const std::filesystem::path& scratch, std::chrono::milliseconds timeout,
                          const std::filesystem::path& cwd) {
  const std::filesystem::path out = scratch / "program.out";
  const std::filesystem::path err = scratch / "program.err";
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  ProgramResult result;
  {
    ChildProcess child(argv, out, err, cwd);
    const std::optional<int> status = child.wait_for(timeout);
    if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
  }
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

}  // namespace databus::cli
