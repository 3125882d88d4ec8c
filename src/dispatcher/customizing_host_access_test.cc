// Host access through Dispatcher::save_customizing and drives
// (docs/security.md, "Host access"), with the shipped components.
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "databus/builtins.h"
#include "databus/dispatcher.h"
#include "databus/error.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kFlow[] = "databus.passenger.generic.orders";

class CustomizingHostAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "databus_hostsave_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / "allowed" / "in");
    fs::create_directories(dir_ / "secret");
    std::ofstream(dir_ / "secret" / "password.txt") << "hunter2";
    DispatcherTicket ticket;
    ticket.data_dir = dir_ / "data";
    ticket.run_web_server = false;
    ticket.workers = 1;
    dispatcher_ = std::make_unique<Dispatcher>(std::move(ticket));
  }
  void TearDown() override {
    dispatcher_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string in(const std::string& relative) const { return (dir_ / relative).string(); }

  // demo's configuration with one passenger type of `pullers` and `pushers`.
  std::string config(const json& pullers, const json& pushers,
                     const json& host_access = nullptr) const {
    json c{{"log_life_span", 1},
           {"passengers", {{{"name", kFlow}, {"pullers", pullers}, {"pushers", pushers}}}},
           {"users", {{{"username", "demo"}, {"password", "demo"}, {"role", "administrator"}}}}};
    if (!host_access.is_null()) c["host_access"] = host_access;
    return c.dump(2);
  }

  json exec_touching(const std::string& marker, const std::string& extra = "") const {
    return {{"module", "databus.pusher.exec"},
            {"command", {"/bin/sh", "-c", "cat >/dev/null; touch " + marker + extra}}};
  }

  std::string stored() { return dispatcher_->database().read_client_config_text("demo"); }

  std::size_t backups() { return dispatcher_->database().list_backups("demo").size(); }

  fs::path dir_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(CustomizingHostAccessTest, AClientAdministratorCannotAddACommandAndNothingRuns) {
  const std::string before = stored();
  const std::size_t backups_before = backups();
  const std::string text = config(json::array({"databus.puller.demo.demo_puller_1"}),
                                  json::array({exec_touching(in("marker"))}));
  try {
    dispatcher_->save_customizing("demo", "__databus__", text, Editor::client);
    FAIL() << "the command was accepted";
  } catch (const ForbiddenError& e) {
    EXPECT_THAT(e.what(), HasSubstr("client 'demo', passenger '" + std::string(kFlow) +
                                    "', pushers[0] 'databus.pusher.exec': setting 'command'"));
  }
  EXPECT_EQ(stored(), before);
  EXPECT_EQ(backups(), backups_before) << "a refused save writes no backup";
  EXPECT_THROW(dispatcher_->drive_now("demo", kFlow), NotFoundError);
  EXPECT_FALSE(fs::exists(dir_ / "marker"));

  // The same text from root is saved and runs: the marker tells the test apart.
  dispatcher_->save_customizing("demo", "__databus__", text, Editor::root);
  dispatcher_->drive_now("demo", kFlow);
  EXPECT_TRUE(fs::exists(dir_ / "marker"));
}

TEST_F(CustomizingHostAccessTest, AConfigurationWrittenOnDiskKeepsWorkingAndMayBeEditedAround) {
  const std::string on_disk = config(json::array({"databus.puller.demo.demo_puller_1"}),
                                     json::array({exec_touching(in("marker"))}));
  dispatcher_->database().write_client_config_text("demo", on_disk);
  // The client's administrator changes something else: the command is kept.
  json edited = json::parse(on_disk);
  edited["log_life_span"] = 3;
  edited["passengers"][0]["sync_frequency"] = 5;
  EXPECT_NO_THROW(
      dispatcher_->save_customizing("demo", "__databus__", edited.dump(), Editor::client));
  // ...but not its arguments.
  json changed = json::parse(on_disk);
  changed["passengers"][0]["pushers"][0] = exec_touching(in("marker"), "; touch " + in("evil"));
  EXPECT_THROW(dispatcher_->save_customizing("demo", "__databus__", changed.dump(), Editor::client),
               ForbiddenError);
  EXPECT_EQ(json::parse(stored())["log_life_span"], 3);
  dispatcher_->drive_now("demo", kFlow);
  EXPECT_TRUE(fs::exists(dir_ / "marker"));
  EXPECT_FALSE(fs::exists(dir_ / "evil"));
}

TEST_F(CustomizingHostAccessTest, OnlyRootChangesTheDelegation) {
  const json delegation{{"directories", json::array({in("allowed")})}};
  EXPECT_THROW(
      dispatcher_->save_customizing(
          "demo", "__databus__", config(json::array(), json::array(), delegation), Editor::client),
      ForbiddenError);
  dispatcher_->save_customizing("demo", "__databus__",
                                config(json::array(), json::array(), delegation), Editor::root);
  EXPECT_THROW(dispatcher_->save_customizing("demo", "__databus__",
                                             config(json::array(), json::array()), Editor::client),
               ForbiddenError);
}

TEST_F(CustomizingHostAccessTest, ADelegatedPathRedirectedBySymlinkAfterTheSaveIsNotRead) {
  const json delegation{{"directories", json::array({in("allowed")})}};
  dispatcher_->save_customizing("demo", "__databus__",
                                config(json::array(), json::array(), delegation), Editor::root);
  const json puller{{"module", "databus.puller.directory"},
                    {"path", in("allowed/in")},
                    {"delete_after_notify", true}};
  dispatcher_->save_customizing("demo", "__databus__",
                                config(json::array({puller}), json::array(), delegation),
                                Editor::client);

  fs::remove(dir_ / "allowed" / "in");
  fs::create_directory_symlink(dir_ / "secret", dir_ / "allowed" / "in");
  const Log log = dispatcher_->drive_now("demo", kFlow);
  EXPECT_EQ(log.worst_type(), LogType::error);
  std::string text;
  for (const LogEntry& e : log.entries()) text += e.message + "\n";
  EXPECT_THAT(text, HasSubstr("setting 'path'"));
  EXPECT_TRUE(fs::exists(dir_ / "secret" / "password.txt")) << "the file was taken";
  EXPECT_TRUE(dispatcher_->database().list_logs("demo").size() >= 1);
  EntryQuery everything;
  EXPECT_TRUE(dispatcher_->database().query_entries("demo", everything).empty());
}

}  // namespace
}  // namespace databus
