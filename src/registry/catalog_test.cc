#include "databus/catalog.h"

#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus {
namespace {

using nlohmann::json;

// A registry with one puller of every setting type worth showing.
std::unique_ptr<Registry> sample_registry() {
  auto registry = std::make_unique<Registry>();
  registry->add_passenger({"x.passenger.family", "A family.", {}, {}, true});
  ComponentSpec puller{"x.puller.sample", "Samples things."};
  puller.settings = {
      SettingSpec{"url", "Where | from.", nullptr, true}.string(),
      SettingSpec{"port", "Server port.", 25}.integer(1, 65535),
      SettingSpec{"token", "Bearer token.", ""}.secret_string(),
      SettingSpec{"mode", "How.", "fast"}.one_of({"fast", "slow"}),
      SettingSpec{"path", "A folder.", "", false, false, HostAccess::path}.string(),
      SettingSpec{"items", "Anything listed.", json::array()}.list(),
  };
  registry->add_puller(puller, [](const ComponentEnv&) { return nullptr; });
  registry->set_registering_plugin("/plugins/p.so");
  registry->add_pusher({"x.pusher.plugged", "From a plugin."},
                       [](const ComponentEnv&) { return nullptr; });
  registry->set_registering_plugin("");
  return registry;
}

TEST(CatalogTest, ListsEveryComponentWithItsSettingsAndOrigin) {
  const auto registry = sample_registry();
  const json catalog = component_catalog(*registry);
  ASSERT_EQ(catalog["pullers"].size(), 1u);
  const json& puller = catalog["pullers"][0];
  EXPECT_EQ(puller["name"], "x.puller.sample");
  EXPECT_EQ(puller["plugin"], "");
  ASSERT_EQ(puller["settings"].size(), 6u);
  EXPECT_EQ(puller["settings"][1]["key"], "port");
  EXPECT_EQ(puller["settings"][1]["minimum"], 1);
  EXPECT_EQ(puller["settings"][1]["maximum"], 65535);
  EXPECT_EQ(puller["settings"][1]["default"], 25);
  EXPECT_EQ(puller["settings"][2]["secret"], true);
  EXPECT_EQ(puller["settings"][3]["choices"], json::array({"fast", "slow"}));
  EXPECT_EQ(puller["settings"][4]["host"], "path");
  EXPECT_FALSE(puller["settings"][0].contains("default"));  // Required.
  EXPECT_EQ(catalog["pushers"][0]["plugin"], "/plugins/p.so");
}

TEST(CatalogTest, TheRegistryStampsThePluginWhateverTheSpecSays) {
  Registry registry;
  ComponentSpec spec{"x.pusher.liar", "Claims an origin."};
  spec.plugin = "/somewhere/else.so";
  registry.add_pusher(spec, [](const ComponentEnv&) { return nullptr; });
  EXPECT_EQ(registry.find(ComponentKind::pusher, "x.pusher.liar")->plugin, "");
}

TEST(CatalogTest, SettingsAreJsonSchemaProperties) {
  const auto registry = sample_registry();
  const auto& settings = registry->find(ComponentKind::puller, "x.puller.sample")->settings;
  EXPECT_EQ(settings[0].json_schema(),
            json({{"type", "string"}, {"description", "Where | from."}}));
  const json port = settings[1].json_schema();
  EXPECT_EQ(port["type"], json::array({"integer", "null"}));
  EXPECT_EQ(port["minimum"], 1);
  EXPECT_EQ(port["maximum"], 65535);
  EXPECT_EQ(port["default"], 25);
  EXPECT_EQ(settings[2].json_schema()["writeOnly"], true);
  EXPECT_EQ(settings[3].json_schema()["enum"], json::array({"fast", "slow", nullptr}));
  EXPECT_EQ(settings[4].json_schema()["x-databus-host"], "path");
  EXPECT_EQ(settings[5].json_schema()["type"], json::array({"array", "null"}));
  const json above = (SettingSpec{"t", "Seconds.", 30}.number_above(0)).json_schema();
  EXPECT_EQ(above["exclusiveMinimum"], 0);
  EXPECT_FALSE(above.contains("minimum"));
}

TEST(CatalogTest, TheConfigSchemaNamesEveryComponentAndItsSettings) {
  const auto registry = sample_registry();
  const json schema = client_config_schema(*registry);
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema["additionalProperties"], false);
  for (const char* key : {"log_life_span", "passengers", "users", "host_access", "alerts"}) {
    EXPECT_TRUE(schema["properties"].contains(key)) << key;
  }
  const json& pullers = schema["$defs"]["puller"]["anyOf"];
  ASSERT_EQ(pullers.size(), 2u);
  EXPECT_EQ(pullers[0]["enum"], json::array({"x.puller.sample"}));
  EXPECT_EQ(pullers[1]["properties"]["module"]["enum"], json::array({"x.puller.sample"}));
  EXPECT_EQ(pullers[1]["required"], json::array({"module", "url"}));
  EXPECT_EQ(pullers[1]["additionalProperties"], false);
  EXPECT_FALSE(pullers[1]["properties"].contains("retry"));  // Pullers take no retry.
  EXPECT_TRUE(schema["$defs"]["pusher"]["anyOf"][1]["properties"].contains("retry"));
  const json& passenger = schema["$defs"]["passenger_module"]["anyOf"];
  EXPECT_EQ(passenger[1]["pattern"], "^x\\.passenger\\.family\\..+$");
}

TEST(CatalogTest, TheConfigSchemaCoversEveryKeyAClientConfigWrites) {
  // Every key to_json() writes for a configuration using every part must be
  // a property of the schema at that place.
  ClientConfig config = demo_client_config();
  config.host_access = HostDelegation{{"/bin/true"}, {"/srv"}, {"HOME"}};
  config.alerts.pushers.push_back(ComponentRef{"x.pusher.plugged"});
  config.passengers[0].sync_interval_seconds = 5;
  config.passengers[0].retry.max_attempts = 3;
  config.passengers[0].queue_life_span = 2;
  const json written = config.to_json();
  const json schema = client_config_schema(*sample_registry());
  for (const auto& item : written.items()) {
    EXPECT_TRUE(schema["properties"].contains(item.key())) << item.key();
  }
  const json& passenger = schema["$defs"]["passenger"]["properties"];
  for (const auto& item : written["passengers"][0].items()) {
    EXPECT_TRUE(passenger.contains(item.key())) << item.key();
  }
  for (const auto& item : written["users"][0].items()) {
    EXPECT_TRUE(schema["$defs"]["user"]["properties"].contains(item.key())) << item.key();
  }
  for (const auto& item : written["host_access"].items()) {
    EXPECT_TRUE(schema["properties"]["host_access"]["properties"].contains(item.key()));
  }
}

TEST(CatalogTest, SettingsTablesShowTypeDefaultAndMarks) {
  const auto registry = sample_registry();
  const std::string table =
      settings_table(*registry->find(ComponentKind::puller, "x.puller.sample"));
  EXPECT_NE(table.find("| setting | type | default | meaning |"), std::string::npos);
  EXPECT_NE(table.find("| `url` | string | required | Where \\| from. |"), std::string::npos);
  EXPECT_NE(table.find("| `port` | whole number, from 1 to 65535 | `25` | Server port. |"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("Bearer token. *Secret.*"), std::string::npos);
  EXPECT_NE(table.find("A folder. *Host setting (path).*"), std::string::npos);
  EXPECT_EQ(settings_table(*registry->find(ComponentKind::pusher, "x.pusher.plugged")),
            "No settings.\n");
}

TEST(CatalogTest, UpdatesOnlyTheMarkedBlocks) {
  const auto registry = sample_registry();
  const std::string doc =
      "# Doc\n\ntext before\n<!-- settings: x.pusher.plugged -->\nstale table\n"
      "<!-- end settings -->\ntext after\n";
  EXPECT_EQ(update_settings_tables(doc, *registry),
            "# Doc\n\ntext before\n<!-- settings: x.pusher.plugged -->\nNo settings.\n"
            "<!-- end settings -->\ntext after\n");
  const std::string fresh = update_settings_tables(doc, *registry);
  EXPECT_EQ(update_settings_tables(fresh, *registry), fresh);
  EXPECT_THROW(
      update_settings_tables("<!-- settings: x.nope -->\n<!-- end settings -->\n", *registry),
      Error);
  EXPECT_THROW(update_settings_tables("<!-- settings: x.pusher.plugged -->\nno end\n", *registry),
               Error);
}

}  // namespace
}  // namespace databus
