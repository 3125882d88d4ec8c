// Customizing nodes through the Dispatcher (customizing.h, dispatcher.h).
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "components/mail/mail_components.h"
#include "databus/dispatcher.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "dispatcher/dispatcher_test_support.h"

namespace databus::dispatch {
namespace {

using ::testing::HasSubstr;
using namespace testing;

std::size_t backups_of(Database& db, const std::string& client, const std::string& node) {
  std::size_t n = 0;
  for (const BackupInfo& b : db.list_backups(client)) n += b.node == node ? 1 : 0;
  return n;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CustomizingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("customizing_" + new_uuid());
    std::filesystem::create_directories(dir_);
    external_ = dir_ / "mapping.json";
    std::ofstream(external_) << R"({"a": 1})";
    ticket_ = test_ticket(test_registry(std::make_shared<DriveHooks>()));
    ticket_.create_default_clients = true;
    ticket_.external_config_files = {ExternalConfigFile{"demo", "mapping", external_}};
    dispatcher_ = std::make_unique<Dispatcher>(ticket_);
  }
  void TearDown() override {
    dispatcher_.reset();
    std::filesystem::remove_all(dir_);
  }

  Database& db() { return dispatcher_->database(); }

  std::filesystem::path dir_, external_;
  DispatcherTicket ticket_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(CustomizingTest, ListsTheNodesOfEachClient) {
  const auto root = dispatcher_->customizing_nodes("root");
  ASSERT_EQ(root.size(), 2u);
  EXPECT_EQ(root[0].name, "__databus__");
  EXPECT_EQ(root[1].name, "__clients__");
  EXPECT_TRUE(root[1].root_only);
  const auto demo = dispatcher_->customizing_nodes("demo");
  ASSERT_EQ(demo.size(), 2u);
  EXPECT_EQ(demo[0].name, "__databus__");
  EXPECT_EQ(demo[1].name, "mapping");
  EXPECT_TRUE(demo[1].external);
}

TEST_F(CustomizingTest, StartBacksUpEveryNode) {
  EXPECT_EQ(backups_of(db(), "root", "__databus__"), 1u);
  EXPECT_EQ(backups_of(db(), "root", "__clients__"), 1u);
  EXPECT_EQ(backups_of(db(), "demo", "__databus__"), 1u);
  EXPECT_EQ(backups_of(db(), "demo", "mapping"), 1u);
}

TEST_F(CustomizingTest, SavingTheClientConfigWritesABackupFirst) {
  const std::string text = config_text({{kPassengerA, 60}});
  dispatcher_->save_customizing("demo", "__databus__", text);
  EXPECT_EQ(dispatcher_->read_customizing("demo", "__databus__"), text);
  EXPECT_EQ(backups_of(db(), "demo", "__databus__"), 2u);
  EXPECT_EQ(db().load_client("demo").passengers.at(0).name, kPassengerA);
}

TEST_F(CustomizingTest, InvalidClientConfigChangesNothing) {
  const std::string before = dispatcher_->read_customizing("demo", "__databus__");
  const std::size_t backups = db().list_backups("demo").size();

  EXPECT_THROW(dispatcher_->save_customizing("demo", "__databus__", "{ not json"), ConfigError);

  // Unknown module: the error names the node, the passenger and the list.
  nlohmann::json j = nlohmann::json::parse(config_text({{kPassengerA, 60}}));
  j["passengers"][0]["pushers"] = {"test.pusher.nowhere"};
  try {
    dispatcher_->save_customizing("demo", "__databus__", j.dump());
    ADD_FAILURE() << "unknown pusher accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("__databus__"));
    EXPECT_THAT(e.what(), HasSubstr(kPassengerA));
    EXPECT_THAT(e.what(), HasSubstr("pushers[0]"));
    EXPECT_THAT(e.what(), HasSubstr("test.pusher.nowhere"));
  }

  // Unknown setting: the error names the key.
  j = nlohmann::json::parse(config_text({{kPassengerA, 60}}));
  j["passengers"][0]["pullers"] = {{{"module", kTestPuller}, {"colour", "blue"}}};
  try {
    dispatcher_->save_customizing("demo", "__databus__", j.dump());
    ADD_FAILURE() << "unknown setting accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("__databus__"));
    EXPECT_THAT(e.what(), HasSubstr(kPassengerA));
    EXPECT_EQ(e.field(), "colour");
  }

  // Unknown passenger module.
  EXPECT_THROW(dispatcher_->save_customizing("demo", "__databus__",
                                             config_text({{"test.passenger.nowhere", 60}})),
               ConfigError);

  EXPECT_EQ(dispatcher_->read_customizing("demo", "__databus__"), before);
  EXPECT_EQ(db().list_backups("demo").size(), backups);
}

// A client config whose passenger A pushes through the SMTP pusher with
// `settings` (beside host, from and to).
std::string smtp_config(const nlohmann::json& settings) {
  nlohmann::json j = nlohmann::json::parse(config_text({{kPassengerA, 60}}));
  nlohmann::json pusher = {{"module", "databus.pusher.smtp"},
                           {"host", "mail.example.com"},
                           {"from", "databus@example.com"},
                           {"to", {"ops@example.com"}}};
  pusher.update(settings);
  j["passengers"][0]["pushers"] = {pusher};
  return j.dump(2);
}

TEST(CustomizingValidationTest, APortOutOfRangeIsRefusedOnSave) {
  auto registry = test_registry(std::make_shared<DriveHooks>());
  register_mail_components(*registry);
  DispatcherTicket ticket = test_ticket(registry);
  Dispatcher dispatcher(ticket);
  dispatcher.database().write_client_config_text("demo", config_text({{kPassengerA, 60}}));
  const std::string before = dispatcher.read_customizing("demo", "__databus__");

  try {
    dispatcher.save_customizing("demo", "__databus__", smtp_config({{"port", 99999}}));
    ADD_FAILURE() << "port 99999 saved";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "port");
    EXPECT_THAT(e.what(), HasSubstr("__databus__"));
    EXPECT_THAT(e.what(), HasSubstr("pushers[0]"));
    EXPECT_THAT(e.what(), HasSubstr("65535"));
  }
  EXPECT_EQ(dispatcher.read_customizing("demo", "__databus__"), before);

  EXPECT_NO_THROW(
      dispatcher.save_customizing("demo", "__databus__", smtp_config({{"port", 2525}})));
}

TEST(CustomizingValidationTest, EveryBadSettingIsReportedAtOnce) {
  auto registry = test_registry(std::make_shared<DriveHooks>());
  register_mail_components(*registry);
  Dispatcher dispatcher(test_ticket(registry));
  dispatcher.database().write_client_config_text("demo", config_text({{kPassengerA, 60}}));

  nlohmann::json j = nlohmann::json::parse(smtp_config(
      {{"port", 99999}, {"timeout_seconds", 0}, {"verify_tls", "yes"}, {"tls", "ssl"}}));
  j["passengers"][0]["sync_frequency"] = -1;  // A problem of the config itself, too.
  try {
    dispatcher.save_customizing("demo", "__databus__", j.dump());
    ADD_FAILURE() << "accepted";
  } catch (const ConfigProblems& e) {
    std::set<std::string> fields;
    for (const ConfigError& p : e.problems()) fields.insert(p.field());
    EXPECT_EQ(fields, (std::set<std::string>{"passengers[0].sync_frequency", "port",
                                             "timeout_seconds", "verify_tls", "tls"}));
  }
}

TEST_F(CustomizingTest, KnownSettingsAreAccepted) {
  nlohmann::json j = nlohmann::json::parse(config_text({{kPassengerA, 60}}));
  j["passengers"][0]["pullers"] = {{{"module", kTestPuller}, {"path", "/tmp/in"}}};
  EXPECT_NO_THROW(dispatcher_->save_customizing("demo", "__databus__", j.dump()));
}

TEST_F(CustomizingTest, ClientsNodeListsAndAddsClients) {
  const auto listed = nlohmann::json::parse(dispatcher_->read_customizing("root", "__clients__"));
  EXPECT_EQ(listed, (nlohmann::json{{"clients", {"demo", "root"}}}));

  dispatcher_->save_customizing("root", "__clients__", R"({"clients": ["demo", "root", "acme"]})");
  EXPECT_EQ(db().client_ids(), (std::vector<std::string>{"acme", "demo", "root"}));
  const ClientConfig acme = db().load_client("acme");
  EXPECT_TRUE(acme.passengers.empty());
  EXPECT_TRUE(acme.users.empty());
  EXPECT_EQ(acme.log_life_span, 1);
  EXPECT_EQ(backups_of(db(), "root", "__clients__"), 2u);
}

TEST_F(CustomizingTest, ClientsNodeRefusesRemovalAndBadText) {
  try {
    dispatcher_->save_customizing("root", "__clients__", R"({"clients": ["root"]})");
    ADD_FAILURE() << "removal accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'demo'"));
    EXPECT_THAT(e.what(), HasSubstr("removing a client"));
  }
  EXPECT_THROW(dispatcher_->save_customizing("root", "__clients__", R"({"clients": "demo"})"),
               ConfigError);
  EXPECT_THROW(dispatcher_->save_customizing("root", "__clients__",
                                             R"({"clients": ["demo", "root", "../x"]})"),
               ConfigError);
  EXPECT_THROW(dispatcher_->save_customizing("root", "__clients__",
                                             R"({"clients": ["demo", "root"], "x": 1})"),
               ConfigError);
  EXPECT_EQ(db().client_ids(), (std::vector<std::string>{"demo", "root"}));
  EXPECT_EQ(backups_of(db(), "root", "__clients__"), 1u);
}

TEST_F(CustomizingTest, ClientsNodeIsRootOnly) {
  EXPECT_THROW(dispatcher_->read_customizing("demo", "__clients__"), NotFoundError);
  EXPECT_THROW(
      dispatcher_->save_customizing("demo", "__clients__", R"({"clients": ["demo", "root"]})"),
      NotFoundError);
}

TEST_F(CustomizingTest, ExternalFileIsReadAndSavedWithABackup) {
  EXPECT_EQ(dispatcher_->read_customizing("demo", "mapping"), R"({"a": 1})");
  dispatcher_->save_customizing("demo", "mapping", R"({"a": 2})");
  EXPECT_EQ(slurp(external_), R"({"a": 2})");
  EXPECT_EQ(backups_of(db(), "demo", "mapping"), 2u);

  EXPECT_THROW(dispatcher_->save_customizing("demo", "mapping", "{\"a\": "), ConfigError);
  EXPECT_EQ(slurp(external_), R"({"a": 2})");
  EXPECT_EQ(backups_of(db(), "demo", "mapping"), 2u);
}

TEST_F(CustomizingTest, UnknownNodeIsNotFound) {
  EXPECT_THROW(dispatcher_->read_customizing("demo", "nowhere"), NotFoundError);
  EXPECT_THROW(dispatcher_->read_customizing("root", "mapping"), NotFoundError);
  EXPECT_THROW(dispatcher_->save_customizing("demo", "nowhere", "{}"), NotFoundError);
}

}  // namespace
}  // namespace databus::dispatch
