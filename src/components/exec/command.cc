#include "components/exec/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "databus/error.h"
#include "registry/secrets.h"

extern char** environ;

namespace databus {

namespace {

constexpr std::size_t kMaxOut = 256u * 1024 * 1024;
constexpr std::size_t kErrorTail = 4096;

using SteadyClock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

void make_pipe(Fd& read_end, Fd& write_end, const Command& command) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error("cannot run " + describe_command(command) + ": pipe: " + std::strerror(errno));
  }
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

// Writing to a pipe whose reader is gone raises SIGPIPE, which would end the
// whole process. While alive, this blocks SIGPIPE for the calling thread and
// swallows one raised meanwhile, so write() just fails with EPIPE.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

// Child side, after fork(): only async-signal-safe calls. Reports a failure
// as errno on `report` and exits.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, const char* dir, int in, int out,
                             int err, int report) {
  ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 ||
      (dir != nullptr && ::chdir(dir) != 0)) {
    const int e = errno;
    (void)!::write(report, &e, sizeof e);
    ::_exit(127);
  }
  ::execvpe(argv[0], argv, envp);
  const int e = errno;
  (void)!::write(report, &e, sizeof e);
  ::_exit(127);
}

}  // namespace

std::string describe_command(const Command& command) {
  return "command '" + (command.argv.empty() ? std::string() : command.argv[0]) + "'";
}

CommandResult run_command(const Command& command, const std::string& input) {
  std::string out;
  CommandResult result = run_command(command, input, [&](std::string_view piece) {
    out.append(piece);
    if (out.size() > kMaxOut) {
      throw Error(describe_command(command) +
                  " wrote more than 256 MiB to stdout; its process group was killed");
    }
    return true;
  });
  result.out = std::move(out);
  return result;
}

CommandResult run_command(const Command& command, const std::string& input,
                          const OutputReader& read_output) {
  if (command.argv.empty()) throw Error("an empty command cannot be run");
  // Everything the child needs is built before fork(): it may not allocate.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [k, v] : command.environment) replaced = replaced || k == name;
    if (!replaced) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : command.environment) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = command.argv;
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  const char* dir = command.working_directory.empty() ? nullptr : command.working_directory.c_str();

  Fd in_read, in_write, out_read, out_write, err_read, err_write, report_read, report_write;
  make_pipe(in_read, in_write, command);
  make_pipe(out_read, out_write, command);
  make_pipe(err_read, err_write, command);
  make_pipe(report_read, report_write, command);

  const pid_t pid = ::fork();
  if (pid < 0) {
    throw Error("cannot run " + describe_command(command) + ": fork: " + std::strerror(errno));
  }
  if (pid == 0) {
    exec_child(argv.data(), envp.data(), dir, in_read.get(), out_write.get(), err_write.get(),
               report_write.get());
  }
  ::setpgid(pid, pid);  // Also done by the child; whichever runs first wins the race.
  in_read.reset();
  out_write.reset();
  err_write.reset();
  report_write.reset();

  auto reap = [pid] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  };
  int failure = 0;
  ssize_t got;
  while ((got = ::read(report_read.get(), &failure, sizeof failure)) < 0 && errno == EINTR) {
  }
  if (got > 0) {
    reap();
    throw Error("cannot run " + describe_command(command) + ": " + std::strerror(failure));
  }

  auto deadline = SteadyClock::now() + command.timeout;
  auto kill_group = [&](const std::string& why, const CommandResult& partial) {
    ::kill(-pid, SIGKILL);
    reap();
    std::string message = describe_command(command) + " " + why;
    if (!partial.error_tail.empty()) message += "; stderr: " + partial.error_tail;
    throw Error(message);
  };
  auto timeout_text = [&] {
    return "timed out after " + std::to_string(command.timeout.count()) +
           " ms; its process group was killed";
  };

  CommandResult result;
  SigpipeGuard sigpipe_guard;
  for (int fd : {in_write.get(), out_read.get(), err_read.get()}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  std::size_t written = 0;
  if (input.empty()) in_write.reset();
  char buffer[65536];
  while (out_read.get() >= 0 || err_read.get() >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    if (in_write.get() >= 0) fds[n++] = {in_write.get(), POLLOUT, 0};
    if (out_read.get() >= 0) fds[n++] = {out_read.get(), POLLIN, 0};
    if (err_read.get() >= 0) fds[n++] = {err_read.get(), POLLIN, 0};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) kill_group(timeout_text(), result);
    const int ready = ::poll(fds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR)
      kill_group(std::string("poll: ") + std::strerror(errno), result);
    if (ready <= 0) continue;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_write.get()) {
        const ssize_t w = ::write(in_write.get(), input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        // EPIPE: the command stopped reading; its exit status tells the rest.
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
          in_write.reset();
        }
        continue;
      }
      const bool is_out = fds[i].fd == out_read.get();
      const ssize_t r = ::read(fds[i].fd, buffer, sizeof buffer);
      if (r > 0) {
        if (is_out) {
          // The reader's time (a sink seating passengers) is not the
          // command's: the deadline moves by it.
          const auto before = SteadyClock::now();
          bool more = true;
          try {
            more = read_output(std::string_view(buffer, static_cast<std::size_t>(r)));
          } catch (...) {
            ::kill(-pid, SIGKILL);
            reap();
            throw;
          }
          deadline += SteadyClock::now() - before;
          if (!more) {
            ::kill(-pid, SIGKILL);
            reap();
            result.stopped = true;
            return result;
          }
        } else {
          result.error_tail.append(buffer, static_cast<std::size_t>(r));
          if (result.error_tail.size() > 4 * kErrorTail) {
            result.error_tail.erase(0, result.error_tail.size() - kErrorTail);
          }
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        (is_out ? out_read : err_read).reset();
      }
    }
  }
  in_write.reset();
  // Output closed; the command itself may still run for a while.
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (SteadyClock::now() >= deadline) kill_group(timeout_text(), result);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (result.error_tail.size() > kErrorTail) {
    result.error_tail.erase(0, result.error_tail.size() - kErrorTail);
  }
  if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.signal = WTERMSIG(status);
  } else {
    result.exit_status = WEXITSTATUS(status);
  }
  return result;
}

void check_success(const Command& command, const CommandResult& result,
                   const std::vector<std::string>& secrets) {
  if (result.success()) return;
  std::string message = describe_command(command);
  message += result.signaled ? " was killed by signal " + std::to_string(result.signal)
                             : " exited with status " + std::to_string(result.exit_status);
  std::string tail = result.error_tail;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  if (!tail.empty()) message += "; stderr: " + tail;
  throw Error(redact(std::move(message), secrets));
}

}  // namespace databus
