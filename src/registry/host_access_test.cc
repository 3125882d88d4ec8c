// The host-access rule (registry/host_access.h) on a fresh registry holding
// one pusher with a setting of each host kind.
#include "registry/host_access.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus::host_access {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kTool[] = "test.pusher.tool";

class NullPusher : public Pusher {
 public:
  void push(DriveContext&, QueueEntry&) override {}
};

class HostAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "databus_host_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directories(dir_ / "allowed" / "in");
    fs::create_directories(dir_ / "secret");
    fs::create_directory_symlink(dir_ / "secret", dir_ / "allowed" / "link");
    ComponentSpec spec;
    spec.name = kTool;
    spec.settings = {
        {"command", "program and arguments", nlohmann::json::array(), false, false,
         HostAccess::command},
        {"path", "a folder", "", false, false, HostAccess::path},
        {"environment", "variables", nlohmann::json::object(), false, true,
         HostAccess::environment},
        {"label", "harmless", "", false, false},
    };
    registry_.add_pusher(spec, [](const ComponentEnv&) { return std::make_unique<NullPusher>(); });
    delegation_.commands = {(dir_ / "bin" / "tool").string()};
    delegation_.directories = {(dir_ / "allowed").string()};
    delegation_.environment = {"API_URL"};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string in(const std::string& relative) const { return (dir_ / relative).string(); }

  // A client with one passenger whose one pusher has `settings`.
  ClientConfig client(const json& settings, bool delegated = true) const {
    ClientConfig c;
    c.id = "acme";
    ClientPassenger p;
    p.name = "acme.orders";
    p.pushers.push_back(ComponentRef{kTool, settings});
    c.passengers.push_back(p);
    if (delegated) c.host_access = delegation_;
    return c;
  }

  // The ForbiddenError message of saving `after` over `before`, or "" when allowed.
  std::string refusal(const ClientConfig& before, const ClientConfig& after) const {
    try {
      check_host_changes(registry_, before, after);
      return "";
    } catch (const ForbiddenError& e) {
      return e.what();
    }
  }

  fs::path dir_;
  Registry registry_;
  HostDelegation delegation_;
};

TEST_F(HostAccessTest, PathsInsideARootCountOnlyWhenWrittenAndRealFormAreInside) {
  const std::vector<std::string> roots{in("allowed")};
  EXPECT_TRUE(inside_directories(in("allowed"), roots));
  EXPECT_TRUE(inside_directories(in("allowed/in"), roots));
  EXPECT_TRUE(inside_directories(in("allowed/not-yet/x"), roots));
  EXPECT_TRUE(inside_directories(in("allowed/in/../in"), roots));
  EXPECT_FALSE(inside_directories(in("allowed/../.."), roots));
  EXPECT_FALSE(inside_directories(in("allowed/../secret"), roots));
  EXPECT_FALSE(inside_directories(in("allowedness"), roots)) << "a name prefix is not a parent";
  EXPECT_FALSE(inside_directories(in("allowed/link"), roots)) << "symlink to a folder outside";
  EXPECT_FALSE(inside_directories(in("allowed/link/x"), roots));
  EXPECT_FALSE(inside_directories("/etc", roots));
  EXPECT_FALSE(inside_directories("allowed/in", roots)) << "relative paths are never inside";
  EXPECT_FALSE(inside_directories("", roots));
}

TEST_F(HostAccessTest, ACommandIsDelegatedByItsProgramOnly) {
  EXPECT_TRUE(delegated_command(json{in("bin/tool"), "--any", "argument"}, delegation_));
  EXPECT_TRUE(delegated_command(json::array({in("bin/../bin/tool")}), delegation_));
  EXPECT_FALSE(delegated_command(json{"/bin/sh", "-c", in("bin/tool")}, delegation_));
  EXPECT_FALSE(delegated_command(json::array({"tool"}), delegation_)) << "looked up in PATH";
  EXPECT_FALSE(delegated_command(json::array(), delegation_));
}

TEST_F(HostAccessTest, AClientMayNotAddOrChangeAHostSettingOutsideTheDelegation) {
  const ClientConfig before = client({{"command", {in("bin/tool"), "a"}}, {"path", in("secret")}});
  // Unchanged, and harmless settings changed: allowed.
  EXPECT_EQ(refusal(before, before), "");
  ClientConfig labelled = before;
  labelled.passengers[0].pushers[0].settings["label"] = "x";
  EXPECT_EQ(refusal(before, labelled), "");

  for (const json& settings : {
           json{{"command", {"/bin/sh", "-c", "touch /tmp/x"}}, {"path", in("secret")}},
           json{{"command", {in("bin/tool"), "a"}}, {"path", "/etc"}},
           json{{"command", {in("bin/tool"), "a"}}, {"path", in("allowed/../..")}},
           json{{"command", {in("bin/tool"), "a"}}, {"path", in("allowed/link")}},
           json{{"command", {in("bin/tool"), "a"}},
                {"path", in("secret")},
                {"environment", {{"LD_PRELOAD", "/tmp/x.so"}}}},
       }) {
    const std::string why = refusal(before, client(settings));
    EXPECT_THAT(why, HasSubstr("client 'acme', passenger 'acme.orders', pushers[0] '" +
                               std::string(kTool) + "'"))
        << settings;
    EXPECT_THAT(why, HasSubstr("only root's administrators")) << settings;
  }
}

TEST_F(HostAccessTest, TheDelegationLetsExactlyWhatItNames) {
  const ClientConfig empty = client(json::object());
  EXPECT_EQ(refusal(empty, client({{"command", {in("bin/tool"), "--free"}},
                                   {"path", in("allowed/in")},
                                   {"environment", {{"API_URL", "https://x"}}}})),
            "");
  EXPECT_THAT(refusal(empty, client({{"command", {"/usr/bin/python3", "-c", "print(1)"}}})),
              HasSubstr("setting 'command'"));
  EXPECT_THAT(refusal(empty, client({{"path", in("allowedness")}})), HasSubstr("setting 'path'"));
  EXPECT_THAT(refusal(empty, client({{"environment", {{"PATH", "/tmp"}}}})),
              HasSubstr("variable PATH"));
  // Without a delegation, nothing but defaults.
  EXPECT_EQ(refusal(client(json::object(), false), client({{"label", "x"}}, false)), "");
  EXPECT_THAT(refusal(client(json::object(), false), client({{"path", in("allowed/in")}}, false)),
              HasSubstr("setting 'path'"));
}

TEST_F(HostAccessTest, AStoredValueIsKeptOnlyWithTheSameComponentOfTheSamePassenger) {
  const ClientConfig before = client({{"command", {"/opt/erp/export", "--day"}}});
  ClientConfig changed = client({{"command", {"/opt/erp/export", "--all"}}});
  EXPECT_THAT(refusal(before, changed), HasSubstr("setting 'command'"));
  ClientConfig moved = before;
  moved.passengers[0].name = "acme.other";
  EXPECT_THAT(refusal(before, moved), HasSubstr("passenger 'acme.other'"));
  // Reordered and removed components are fine.
  ClientConfig two = before;
  two.passengers[0].pushers.insert(two.passengers[0].pushers.begin(),
                                   ComponentRef{kTool, {{"label", "first"}}});
  EXPECT_EQ(refusal(before, two), "");
  EXPECT_EQ(refusal(two, before), "");
}

TEST_F(HostAccessTest, AClientReferencesOnlyProcessVariablesAlreadyUsedOrDelegated) {
  // Set, as a save's validation requires of every reference.
  for (const char* name : {"KNOWN", "API_URL", "PGPASSWORD"}) ASSERT_EQ(setenv(name, "v", 1), 0);
  const ClientConfig before = client({{"label", "${env:KNOWN}"}});
  EXPECT_EQ(refusal(before, client({{"label", "prefix ${env:KNOWN}"}})), "");
  EXPECT_EQ(refusal(before, client({{"label", "${env:API_URL}"}})), "") << "delegated name";
  const std::string why = refusal(before, client({{"label", "x ${env:PGPASSWORD} y"}}));
  EXPECT_THAT(why, HasSubstr("setting 'label' references ${env:PGPASSWORD}"));
  EXPECT_EQ(refusal(before, client({{"label", "${env:} ${env:1X} $env:Y"}})), "")
      << "not references";
}

TEST_F(HostAccessTest, OnlyRootChangesTheDelegation) {
  const ClientConfig before = client(json::object());
  ClientConfig wider = before;
  wider.host_access->directories.push_back("/");
  EXPECT_THAT(refusal(before, wider), HasSubstr("field 'host_access'"));
  EXPECT_THAT(refusal(before, client(json::object(), false)), HasSubstr("field 'host_access'"));
}

TEST_F(HostAccessTest, ADriveRefusesADelegatedPathThatNowResolvesOutside) {
  const ComponentSpec& spec = *registry_.find(ComponentKind::pusher, kTool);
  const json settings{{"path", in("allowed/in")}};
  EXPECT_NO_THROW(check_delegated_paths(spec, settings, delegation_, "here"));
  // Root's own paths outside the delegation are not the delegation's business.
  EXPECT_NO_THROW(check_delegated_paths(spec, json{{"path", "/etc"}}, delegation_, "here"));

  fs::remove(dir_ / "allowed" / "in");
  fs::create_directory_symlink(dir_ / "secret", dir_ / "allowed" / "in");
  try {
    check_delegated_paths(spec, settings, delegation_, "here");
    FAIL() << "a symlink leading out was accepted";
  } catch (const ForbiddenError& e) {
    EXPECT_THAT(e.what(), HasSubstr("here: setting 'path'"));
  }
  // The makers apply it when the environment carries the delegation.
  ComponentEnv env{"acme", "acme.orders", kTool, {}, dir_};
  EXPECT_NO_THROW(registry_.make_pusher(ComponentRef{kTool, settings}, env));
  env.host_delegation = delegation_;
  EXPECT_THROW(registry_.make_pusher(ComponentRef{kTool, settings}, env), ForbiddenError);
}

}  // namespace
}  // namespace databus::host_access
