// End-to-end tests of the `databus` program: they run the built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/cli_test_support.h"
#include "databus/version.h"
#include "test_paths.h"

namespace databus::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(CliTest, VersionPrintsTheVersion) {
  const ProgramResult result = databus({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("databus " DATABUS_VERSION));
}

TEST_F(CliTest, HelpListsEveryCommandAndRunHelpEveryFlag) {
  const ProgramResult top = databus({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command : {"run", "init", "drive", "check"}) {
    EXPECT_THAT(top.out, HasSubstr(command));
  }
  const ProgramResult run = databus({"run", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  for (const char* flag : {"--data-dir", "--database", "--database-arg", "--port", "--no-web",
                           "--alias", "--external-config", "--workers", "Exit codes"}) {
    EXPECT_THAT(run.out, HasSubstr(flag));
  }
  EXPECT_THAT(run.out, HasSubstr("data/json_db"));
  EXPECT_THAT(run.out, HasSubstr("5000"));
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(databus({}).exit_code, 2);
  EXPECT_EQ(databus({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(databus({"drive", "demo"}).exit_code, 2);

  const ProgramResult bad_arg =
      databus({"run", "--no-web", "--data-dir", data_.string(), "--database-arg", "broken"});
  EXPECT_EQ(bad_arg.exit_code, 2);
  EXPECT_THAT(bad_arg.err, HasSubstr("databus: error: --database-arg \"broken\""));
}

TEST_F(CliTest, UnknownEngineIsAStartupError) {
  const ProgramResult result =
      databus({"run", "--no-web", "--data-dir", data_.string(), "--database", "no_such_engine"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("databus: error:"));
  EXPECT_THAT(result.err, HasSubstr("no_such_engine"));
}

TEST_F(CliTest, InitDemoCreatesTheDevelopersClientsOnce) {
  const ProgramResult first = databus({"init", "--demo", "--data-dir", data_.string()});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("client root: created"));
  EXPECT_THAT(first.out, HasSubstr("client demo: created"));
  EXPECT_TRUE(fs::exists(data_ / "clients" / "demo" / "config.json"));

  const ProgramResult second = databus({"init", "--demo", "--data-dir", data_.string()});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("client root: exists"));
  EXPECT_THAT(second.out, HasSubstr("client demo: exists"));
}

TEST_F(CliTest, CheckSaysOkForTheDefaultClients) {
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
  const ProgramResult result = databus({"check", "--data-dir", data_.string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("root: ok"));
  EXPECT_THAT(result.out, HasSubstr("demo: ok"));
}

TEST_F(CliTest, CheckNamesFileAndFieldOfEveryProblemAndGoesOn) {
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
  // Unknown puller module, unknown setting of a pusher.
  write(data_ / "clients" / "wrong" / "config.json", R"({
    "log_life_span": 1,
    "passengers": [ { "name": "databus.passenger.demo.demo_passenger_1",
                      "pullers": ["databus.puller.demo.no_such_puller"],
                      "processors": [],
                      "pushers": [ { "module": "databus.pusher.demo.demo_pusher_1",
                                     "colour": "red" } ],
                      "queue": "databus.pqueue.primal_queue",
                      "queue_life_span": 1, "sync_frequency": 1 } ],
    "users": [] })");
  // Not JSON at all.
  write(data_ / "clients" / "malformed" / "config.json", "{ \"log_life_span\": ");
  // A demo queue entry whose passenger.json is malformed.
  write(data_ / "clients" / "demo" / "pqueue" / "0b7f9a52-5a8e-4c62-9a51-7e0b3c1f2d4e" /
            "passenger.json",
        "{ \"external_id\": ");

  const ProgramResult result = databus({"check", "--data-dir", data_.string()});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("root: ok"));
  EXPECT_THAT(result.out, Not(HasSubstr("demo: ok")));
  EXPECT_THAT(result.out, HasSubstr("0b7f9a52-5a8e-4c62-9a51-7e0b3c1f2d4e"));
  EXPECT_THAT(result.out, HasSubstr("no_such_puller"));
  EXPECT_THAT(result.out, HasSubstr("colour"));
  EXPECT_THAT(result.out, HasSubstr("pushers[0]"));
  EXPECT_THAT(result.out, HasSubstr((fs::path("wrong") / "config.json").string()));
  EXPECT_THAT(result.out, HasSubstr((fs::path("malformed") / "config.json").string()));
}

// Lines of `out` that contain `text`.
std::size_t lines_with(const std::string& out, const std::string& text) {
  std::istringstream in(out);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(text) != std::string::npos;
  return n;
}

TEST_F(CliTest, CheckReportsEverySettingOutOfTypeOrRange) {
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
  write(data_ / "clients" / "mail" / "config.json", R"({
    "log_life_span": -3,
    "passengers": [ { "name": "databus.passenger.generic.orders",
                      "pullers": [ { "module": "databus.puller.directory", "path": "/in",
                                     "delete_after_notify": "yes" } ],
                      "pushers": [ { "module": "databus.pusher.smtp", "host": "mail",
                                     "from": "a@example.com", "to": ["b@example.com"],
                                     "port": 99999, "timeout_seconds": 0, "tls": "ssl" } ] } ],
    "users": [] })");

  const ProgramResult result = databus({"check", "--data-dir", data_.string()});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  const std::string file = (fs::path("mail") / "config.json").string();
  // One line each, all naming the file and the field.
  for (const char* field :
       {"'log_life_span'", "'delete_after_notify'", "'port'", "'timeout_seconds'", "'tls'"}) {
    EXPECT_EQ(lines_with(result.out, field), 1u) << field << "\n" << result.out;
  }
  EXPECT_EQ(lines_with(result.out, file), 5u) << result.out;
  EXPECT_THAT(result.out, HasSubstr("must be a whole number from 0 to 65535, not 99999"));
  EXPECT_THAT(result.out, HasSubstr("pushers[0]"));
  EXPECT_THAT(result.out, HasSubstr("5 problem(s)"));
  EXPECT_THAT(result.out, HasSubstr("demo: ok"));
}

TEST_F(CliTest, CheckGoesPastAClientFolderItCannotUse) {
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
  // A client folder with a space in its name (not a valid client id), and
  // after it in name order a broken client that must still be checked.
  write(data_ / "clients" / "my client" / "config.json",
        R"({"log_life_span": 1, "passengers": [], "users": []})");
  write(data_ / "clients" / "zz" / "config.json", R"({"log_life_span": "often"})");

  const ProgramResult result = databus({"check", "--data-dir", data_.string()});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("my client: cannot be checked"));
  EXPECT_THAT(result.out, HasSubstr("invalid client id 'my client'"));
  EXPECT_THAT(result.out, HasSubstr("demo: ok"));
  EXPECT_THAT(result.out, HasSubstr("root: ok"));
  EXPECT_THAT(result.out, HasSubstr("zz: "));
  EXPECT_THAT(result.out, HasSubstr("'log_life_span'"));
  EXPECT_THAT(result.out, HasSubstr("4 client(s) checked"));
  EXPECT_THAT(result.out, HasSubstr("2 problem(s)"));
}

TEST_F(CliTest, CheckFindsNothingInADataDirectoryOfTheOriginal) {
  fs::copy(fs::path(DATABUS_SOURCE_DIR) / "tests/fixtures/original_json_db", data_,
           fs::copy_options::recursive);
  ASSERT_TRUE(fs::exists(data_ / "clients/demo/log/placeholder.txt"));
  ASSERT_TRUE(fs::exists(data_ / "clients/root/pqueue/placeholder.txt"));
  const ProgramResult result = databus({"check", "--data-dir", data_.string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("demo: ok"));
  EXPECT_THAT(result.out, HasSubstr("root: ok"));
  EXPECT_THAT(result.out, HasSubstr("2 client(s) checked"));
  EXPECT_THAT(result.out, HasSubstr(", 0 problem(s)"));
}

TEST_F(CliTest, DrivePrintsTheLogAndExitsZeroWithoutErrors) {
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
  const ProgramResult result = databus(
      {"drive", "demo", "databus.passenger.demo.demo_passenger_1", "--data-dir", data_.string()});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("][info] "));
  EXPECT_THAT(result.out, Not(HasSubstr("][error] ")));
  // The drive's log is stored too.
  EXPECT_FALSE(fs::is_empty(data_ / "clients" / "demo" / "log"));
}

TEST_F(CliTest, DriveExitsOneWhenTheLogHoldsAnError) {
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
  write(data_ / "clients" / "failing" / "config.json", R"({
    "log_life_span": 1,
    "passengers": [ { "name": "databus.passenger.demo.demo_passenger_1",
                      "pullers": ["databus.puller.demo.no_such_puller"],
                      "processors": [], "pushers": [],
                      "queue": "databus.pqueue.primal_queue",
                      "queue_life_span": 1, "sync_frequency": 1 } ],
    "users": [] })");
  const ProgramResult result =
      databus({"drive", "failing", "databus.passenger.demo.demo_passenger_1", "--data-dir",
               data_.string()});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("][error] "));
}

TEST_F(CliTest, DriveOfAnUnknownClientOrPassengerExitsTwo) {
  ASSERT_EQ(databus({"init", "--demo", "--data-dir", data_.string()}).exit_code, 0);
  const ProgramResult client = databus(
      {"drive", "nobody", "databus.passenger.demo.demo_passenger_1", "--data-dir", data_.string()});
  EXPECT_EQ(client.exit_code, 2);
  EXPECT_THAT(client.err, HasSubstr("nobody"));
  const ProgramResult passenger =
      databus({"drive", "demo", "no.such.passenger", "--data-dir", data_.string()});
  EXPECT_EQ(passenger.exit_code, 2);
  EXPECT_THAT(passenger.err, HasSubstr("no.such.passenger"));
}

TEST_F(CliTest, RunStopsCleanlyOnSigtermAndHoldsTheDataDirectory) {
  const fs::path out = dir_ / "run.out";
  const fs::path err = dir_ / "run.err";
  ChildProcess run(
      {DATABUS_CLI_PATH, "run", "--data-dir", data_.string(), "--workers", "2", "--port", "0"}, out,
      err);
  ASSERT_TRUE(await_text(out, "running")) << read(err);
  EXPECT_THAT(read(out), HasSubstr(data_.string()));
  EXPECT_THAT(read(out), HasSubstr("2 workers"));
  EXPECT_THAT(read(out), HasSubstr("web interface: http://127.0.0.1:"));

  // A second process cannot open the same data directory.
  const ProgramResult second = databus({"run", "--no-web", "--data-dir", data_.string()});
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_THAT(second.err, HasSubstr("databus: error:"));

  run.signal(SIGTERM);
  const std::optional<int> status = run.wait_for(std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value()) << "databus run did not stop after SIGTERM";
  ASSERT_TRUE(WIFEXITED(*status)) << read(err);
  EXPECT_EQ(WEXITSTATUS(*status), 0) << read(err);
  EXPECT_THAT(read(out), HasSubstr("stopped"));
}

TEST_F(CliTest, RunWithoutWebSaysNothingAboutTheWebInterface) {
  const fs::path out = dir_ / "run.out";
  const fs::path err = dir_ / "run.err";
  ChildProcess run({DATABUS_CLI_PATH, "run", "--no-web", "--data-dir", data_.string()}, out, err);
  ASSERT_TRUE(await_text(out, "running")) << read(err);
  run.signal(SIGINT);
  const std::optional<int> status = run.wait_for(std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << read(err);
  EXPECT_THAT(read(err), Not(HasSubstr("web interface")));
}

}  // namespace
}  // namespace databus::cli
