// The complete examples of docs/connectors.md for the SQL connectors are
// valid configurations: each parses, passes the registry's checks, and its
// SQL components are made (connection rules included).
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "databus/builtins.h"
#include "test_paths.h"

namespace databus {
namespace {

// The first ```json block after the heading `heading` of docs/connectors.md.
std::string example(const std::string& heading) {
  std::ifstream in(std::string(DATABUS_SOURCE_DIR) + "/docs/connectors.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::size_t at = doc.find("### " + heading + "\n");
  if (at == std::string::npos) return "";
  const std::size_t open = doc.find("```json\n", at);
  const std::size_t close = doc.find("```\n", open + 8);
  return doc.substr(open + 8, close - open - 8);
}

class ConnectorsDocTest : public testing::TestWithParam<std::string> {};

TEST_P(ConnectorsDocTest, TheExampleIsAValidConfiguration) {
  for (const char* name : {"ERP_DB_PASSWORD", "SHOP_TOKEN", "DWH_PASSWORD"}) {
    setenv(name, "example-secret", 1);
  }
  const std::string text = example(GetParam());
  ASSERT_FALSE(text.empty()) << GetParam();
  const ClientConfig config = ClientConfig::parse("acme", text, "docs/connectors.md");
  auto registry = builtin_registry();
  const std::vector<ConfigError> problems = registry->check_client(config, "docs/connectors.md");
  for (const ConfigError& e : problems) ADD_FAILURE() << e.what();
  for (const ClientPassenger& p : config.passengers) {
    for (const ComponentRef& ref : p.pullers) {
      if (ref.module == "databus.puller.sql") {
        EXPECT_NO_THROW(registry->make_puller(ref, ComponentEnv{"acme", p.name}));
      }
    }
    for (const ComponentRef& ref : p.pushers) {
      if (ref.module == "databus.pusher.sql") {
        EXPECT_NO_THROW(registry->make_pusher(ref, ComponentEnv{"acme", p.name}));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ConnectorsDocTest,
                         testing::Values("Orders from an ERP table to a web endpoint",
                                         "Files from a folder into a staging table"));

}  // namespace
}  // namespace databus
