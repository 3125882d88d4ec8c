// End-to-end tests of `databus run` and `databus init` as a service runs
// them (docs/operations.md): the safe first start, the flags file, the
// readiness notification of systemd's Type=notify (a datagram socket named
// by NOTIFY_SOCKET, as systemd sets it), and SIGHUP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "cli/cli_test_support.h"
#include "web/credentials.h"

namespace databus::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The socket a service manager listens on: what systemd does for a
// Type=notify unit.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path.string();
    EXPECT_LT(text.size(), sizeof address.sun_path) << text;
    text.copy(address.sun_path, sizeof address.sun_path - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  }
  ~NotifySocket() { close(fd_); }

  // The next message, or "" after 30 s without one.
  std::string receive() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 30000) != 1) return "";
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
};

class ServiceTest : public CliTest {
 protected:
  // The random password printed in a "client root: created" line, or "".
  static std::string printed_password(const std::string& out) {
    std::smatch m;
    const std::regex line("client root: created \\(user root, password ([0-9a-f]{32}) ");
    return std::regex_search(out, m, line) ? m[1].str() : "";
  }
  std::string stored_root_password() {
    const std::string config = read(data_ / "clients" / "root" / "config.json");
    std::smatch m;
    const std::regex field("\"password\": \"([^\"]*)\"");
    return std::regex_search(config, m, field) ? m[1].str() : "";
  }
};

TEST_F(ServiceTest, InitWithoutDemoGivesRootARandomPasswordShownOnceAndNoDemo) {
  const ProgramResult first = databus({"init", "--data-dir", data_.string()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string password = printed_password(first.out);
  ASSERT_FALSE(password.empty()) << first.out;
  EXPECT_THAT(first.out, Not(HasSubstr("demo")));
  EXPECT_FALSE(fs::exists(data_ / "clients" / "demo"));
  // Stored as a hash of what was printed, never as the text itself.
  const std::string stored = stored_root_password();
  EXPECT_TRUE(web::is_password_hash(stored)) << stored;
  EXPECT_TRUE(web::verify_password(stored, password));
  EXPECT_THAT(read(data_ / "clients" / "root" / "config.json"), Not(HasSubstr(password)));

  const ProgramResult second = databus({"init", "--data-dir", data_.string()});
  EXPECT_THAT(second.out, HasSubstr("client root: exists, left unchanged"));
  EXPECT_THAT(second.out, Not(HasSubstr("password")));
  // Two stores never share a password.
  const ProgramResult other = databus({"init", "--data-dir", (dir_ / "other").string()});
  EXPECT_NE(printed_password(other.out), password);
}

TEST_F(ServiceTest, RunNotifiesReadinessAfterListeningRereadsFlagsOnSighupAndStops) {
  const fs::path flags = dir_ / "databus.conf";
  const fs::path log = dir_ / "databus.log";
  write(flags, "data-dir = \"" + data_.string() + "\"\nport = 0\nworkers = 1\nlog-file = \"" +
                   log.string() + "\"\n");
  NotifySocket manager(dir_ / "notify");
  setenv("NOTIFY_SOCKET", (dir_ / "notify").c_str(), 1);
  ChildProcess run({DATABUS_CLI_PATH, "run", "--config", flags.string()}, dir_ / "out",
                   dir_ / "err");
  unsetenv("NOTIFY_SOCKET");

  const std::string ready = manager.receive();
  EXPECT_THAT(ready, HasSubstr("READY=1"));
  // Ready means listening with the store open: the start lines are written.
  EXPECT_THAT(read(log), HasSubstr("web interface: http://127.0.0.1:"));
  EXPECT_THAT(read(log), HasSubstr("running: engine json_db"));
  // The flags file chose the data directory; the empty store got root only,
  // with a random password, in the log.
  EXPECT_FALSE(printed_password(read(log)).empty()) << read(log);
  EXPECT_FALSE(fs::exists(data_ / "clients" / "demo"));

  // logrotate moves the file away, changes a flag and sends SIGHUP: the
  // process lives on, writes to a new file and names the change.
  fs::rename(log, dir_ / "databus.log.1");
  write(flags, "data-dir = \"" + data_.string() + "\"\nport = 0\nworkers = 2\nlog-file = \"" +
                   log.string() + "\"\n");
  run.signal(SIGHUP);
  EXPECT_THAT(manager.receive(), HasSubstr("RELOADING=1"));
  EXPECT_THAT(manager.receive(), HasSubstr("READY=1"));
  ASSERT_TRUE(await_text(log, "SIGHUP")) << read(dir_ / "err");
  EXPECT_THAT(read(log), HasSubstr("log file reopened"));
  EXPECT_THAT(read(log), HasSubstr("changed workers=2, in effect after a restart"));
  EXPECT_FALSE(run.wait_for(std::chrono::milliseconds(0)).has_value()) << "SIGHUP ended it";

  // A flags file that no longer parses is reported; the process goes on.
  write(flags, "no_such_flag = 1\n");
  run.signal(SIGHUP);
  EXPECT_THAT(manager.receive(), HasSubstr("RELOADING=1"));
  EXPECT_THAT(manager.receive(), HasSubstr("READY=1"));
  ASSERT_TRUE(await_text(log, "no longer parses"));

  run.signal(SIGTERM);
  EXPECT_THAT(manager.receive(), HasSubstr("STOPPING=1"));
  const std::optional<int> status = run.wait_for(std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << read(log);
  EXPECT_THAT(read(log), HasSubstr("databus stopped"));
}

TEST_F(ServiceTest, RunDemoMakesTheDevelopersStoreAndSaysSo) {
  ChildProcess run({DATABUS_CLI_PATH, "run", "--demo", "--no-web", "--data-dir", data_.string()},
                   dir_ / "out", dir_ / "err");
  ASSERT_TRUE(await_text(dir_ / "out", "running")) << read(dir_ / "err");
  EXPECT_THAT(read(dir_ / "out"), HasSubstr("client root: created (user root, password root"));
  EXPECT_THAT(read(dir_ / "out"), HasSubstr("client demo: created (user demo, password demo"));
  run.signal(SIGTERM);
  ASSERT_TRUE(run.wait_for(std::chrono::seconds(60)).has_value());
}

TEST_F(ServiceTest, TheFlagsFileCannotTurnOnTheDevelopersStore) {
  write(dir_ / "databus.conf", "demo = true\n");
  const ProgramResult result =
      databus({"run", "--no-web", "--config", (dir_ / "databus.conf").string(), "--data-dir",
               data_.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("demo"));
}

}  // namespace
}  // namespace databus::cli
