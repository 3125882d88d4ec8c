// Customizing saves that carry the version they were edited from: a node
// saved by someone else since is not overwritten (customizing.h, "Versions";
// docs/api.md "Edit conflicts").
#include <chrono>
#include <filesystem>
#include <fstream>
#include <latch>
#include <optional>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

class CustomizingVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("customizing_version_" + new_uuid());
    std::filesystem::create_directories(dir_);
    external_ = dir_ / "mapping.json";
    std::ofstream(external_) << R"({"a": 1})";
    DispatcherTicket ticket = test_ticket(test_registry(std::make_shared<DriveHooks>()));
    ticket.create_default_clients = true;
    ticket.external_config_files = {ExternalConfigFile{"demo", "mapping", external_}};
    dispatcher_ = std::make_unique<Dispatcher>(ticket);
  }
  void TearDown() override {
    dispatcher_.reset();
    std::filesystem::remove_all(dir_);
  }

  Database& db() { return dispatcher_->database(); }
  ConfigVersion save(const std::string& client, const std::string& node, const std::string& text,
                     const std::string& version, const std::string& by = "") {
    return dispatcher_->save_customizing(client, node, text,
                                         CustomizingSave{Editor::root, version, by});
  }

  std::filesystem::path dir_, external_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(CustomizingVersionTest, ASaveFromTheCurrentVersionSavesAndRecordsWhoSavedIt) {
  const VersionedText loaded = dispatcher_->read_customizing_versioned("demo", "__databus__");
  EXPECT_EQ(loaded.text, dispatcher_->read_customizing("demo", "__databus__"));
  const std::string text = config_text({{kPassengerA, 60}});
  const ConfigVersion saved = save("demo", "__databus__", text, loaded.version.tag, "alice@demo");
  EXPECT_NE(saved.tag, loaded.version.tag);
  const VersionedText now = dispatcher_->read_customizing_versioned("demo", "__databus__");
  EXPECT_EQ(now.text, text);
  EXPECT_EQ(now.version.tag, saved.tag);
  EXPECT_EQ(now.version.saved_by, "alice@demo");
  EXPECT_EQ(backups_of(db(), "demo", "__databus__"), 2u);  // Start, then this save.
}

TEST_F(CustomizingVersionTest, ASaveFromAStaleVersionIsRefusedNamingBothTimesAndChangesNothing) {
  const ConfigVersion loaded =
      dispatcher_->read_customizing_versioned("demo", "__databus__").version;
  const std::string alices = config_text({{kPassengerA, 60}});
  const ConfigVersion alice = save("demo", "__databus__", alices, loaded.tag, "alice@demo");
  const std::size_t backups = backups_of(db(), "demo", "__databus__");
  try {
    save("demo", "__databus__", config_text({{kPassengerB, 30}}), loaded.tag, "bob@demo");
    ADD_FAILURE() << "a stale save overwrote alice's";
  } catch (const EditConflictError& e) {
    EXPECT_THAT(e.what(), HasSubstr("customizing node __databus__ of client 'demo' was saved at " +
                                    to_iso(*alice.saved()) + " UTC by alice@demo"));
    EXPECT_THAT(e.what(), HasSubstr("(saved at " + to_iso(*loaded.saved()) + " UTC)"));
    EXPECT_EQ(e.loaded(), loaded.tag);
    EXPECT_EQ(e.current().tag, alice.tag);
  }
  EXPECT_EQ(dispatcher_->read_customizing("demo", "__databus__"), alices);
  EXPECT_EQ(backups_of(db(), "demo", "__databus__"), backups);
}

// Old API clients send no version: their save replaces whatever is stored.
TEST_F(CustomizingVersionTest, ASaveWithoutAVersionReplacesWhateverIsStored) {
  const ConfigVersion loaded =
      dispatcher_->read_customizing_versioned("demo", "__databus__").version;
  save("demo", "__databus__", config_text({{kPassengerA, 60}}), loaded.tag, "alice@demo");
  const std::string text = config_text({{kPassengerB, 30}});
  const ConfigVersion saved = save("demo", "__databus__", text, "", "bob@demo");
  EXPECT_EQ(dispatcher_->read_customizing("demo", "__databus__"), text);
  EXPECT_EQ(dispatcher_->read_customizing_versioned("demo", "__databus__").version.tag, saved.tag);
  // The two-argument form of the SDK, too.
  const std::string again = config_text({{kPassengerA, 10}});
  dispatcher_->save_customizing("demo", "__databus__", again);
  EXPECT_EQ(dispatcher_->read_customizing("demo", "__databus__"), again);
}

// Two saves of one node from one version at once (two tabs): exactly one
// is stored; the other is refused and told the winner's version.
TEST_F(CustomizingVersionTest, OfTwoConcurrentSavesFromOneVersionExactlyOneWins) {
  for (int round = 0; round < 10; ++round) {
    const std::string tag =
        dispatcher_->read_customizing_versioned("demo", "__databus__").version.tag;
    const std::string texts[2] = {config_text({{kPassengerA, 60 + round}}),
                                  config_text({{kPassengerB, 60 + round}})};
    std::optional<ConfigVersion> won[2];
    std::optional<std::string> refused[2];
    std::latch start(2);
    auto run = [&](int i) {
      start.arrive_and_wait();
      try {
        won[i] = save("demo", "__databus__", texts[i], tag, "user" + std::to_string(i));
      } catch (const EditConflictError& e) {
        refused[i] = e.current().tag;
      }
    };
    std::thread a(run, 0), b(run, 1);
    a.join();
    b.join();
    ASSERT_NE(won[0].has_value(), won[1].has_value()) << "round " << round;
    const int winner = won[0] ? 0 : 1;
    EXPECT_EQ(refused[1 - winner], won[winner]->tag);
    EXPECT_EQ(dispatcher_->read_customizing("demo", "__databus__"), texts[winner]);
  }
}

// An external file changed by someone else (another tool, an edit by hand)
// since it was loaded is not overwritten either.
TEST_F(CustomizingVersionTest, AnExternalFileChangedSinceItWasLoadedIsNotOverwritten) {
  const ConfigVersion loaded = dispatcher_->read_customizing_versioned("demo", "mapping").version;
  EXPECT_EQ(loaded.tag, dispatcher_->read_customizing_versioned("demo", "mapping").version.tag);
  std::ofstream(external_) << R"({"a": "by hand"})";
  const std::size_t backups = backups_of(db(), "demo", "mapping");
  EXPECT_THROW(save("demo", "mapping", R"({"a": 2})", loaded.tag), EditConflictError);
  EXPECT_EQ(slurp(external_), R"({"a": "by hand"})");
  EXPECT_EQ(backups_of(db(), "demo", "mapping"), backups);

  const ConfigVersion current = dispatcher_->read_customizing_versioned("demo", "mapping").version;
  const ConfigVersion saved = save("demo", "mapping", R"({"a": 3})", current.tag);
  EXPECT_EQ(slurp(external_), R"({"a": 3})");
  EXPECT_EQ(dispatcher_->read_customizing_versioned("demo", "mapping").version.tag, saved.tag);
  // Deleted since it was loaded: nothing to compare with, refused as well.
  std::filesystem::remove(external_);
  EXPECT_THROW(save("demo", "mapping", R"({"a": 4})", saved.tag), EditConflictError);
  EXPECT_FALSE(std::filesystem::exists(external_));
}

// A list of clients loaded before another client was added is stale: the
// save is refused as a conflict (not as the removal of that client).
TEST_F(CustomizingVersionTest, TheListOfClientsChangedSinceItWasLoadedIsAConflict) {
  const ConfigVersion loaded =
      dispatcher_->read_customizing_versioned("root", "__clients__").version;
  EXPECT_EQ(loaded.saved(), std::nullopt);  // The list has no time.
  save("root", "__clients__", R"({"clients": ["demo", "root", "acme"]})", loaded.tag);
  EXPECT_THROW(save("root", "__clients__", R"({"clients": ["demo", "root", "beta"]})", loaded.tag),
               EditConflictError);
  EXPECT_EQ(db().client_ids(), (std::vector<std::string>{"acme", "demo", "root"}));
  const ConfigVersion current =
      dispatcher_->read_customizing_versioned("root", "__clients__").version;
  const ConfigVersion saved =
      save("root", "__clients__", R"({"clients": ["acme", "demo", "root", "beta"]})", current.tag);
  EXPECT_EQ(db().client_ids(), (std::vector<std::string>{"acme", "beta", "demo", "root"}));
  EXPECT_EQ(dispatcher_->read_customizing_versioned("root", "__clients__").version.tag, saved.tag);
}

}  // namespace
}  // namespace databus::dispatch
