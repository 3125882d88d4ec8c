// End-to-end tests of `databus check --config`, `databus components` and
// `databus schema`: they run the built binary, no store involved.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/program_test.h"

namespace databus::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class CliCatalogTest : public ProgramTest {
 protected:
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
};

TEST_F(CliCatalogTest, CheckConfigFindsEveryProblemOfAFileWithoutAStore) {
  const fs::path file = write("acme.json", R"({"passengers": [
  {"name": "databus.passenger.generic.orders",
   "pullers": [{"module": "databus.puller.directory", "path": "/srv/in", "pattern": 7}],
   "pushers": [{"module": "databus.pusher.smtp", "host": "mail", "port": 99999,
                "from": "a@b.c", "to": ["d@e.f"], "password": "${env:SMTP_PASSWORD_NOT_SET}"},
               {"module": "databus.pusher.nope"}]}]})");
  const ProgramResult result = databus({"check", "--config", file.string()});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("pullers[0]: field 'pattern': must be a string, not 7"));
  EXPECT_THAT(
      result.out,
      HasSubstr("pushers[0]: field 'port': must be a whole number from 0 to 65535, not 99999"));
  EXPECT_THAT(result.out, HasSubstr("unknown pusher module 'databus.pusher.nope'"));
  EXPECT_THAT(result.out, HasSubstr("passengers[0].pushers[0].password: environment variable "
                                    "SMTP_PASSWORD_NOT_SET (not set here)"));
  EXPECT_THAT(result.out, HasSubstr("3 problem(s), 1 environment reference(s)"));
  EXPECT_FALSE(fs::exists(dir_ / "data")) << "a store was made";
}

TEST_F(CliCatalogTest, CheckConfigReadsStdinAndNamesLineAndColumn) {
  const fs::path file = write("bad.json", "{\n  \"passengers\": [\n    {\"name\": }\n  ]\n}\n");
  const ProgramResult bad = run_program(
      {"/bin/sh", "-c", std::string(DATABUS_CLI_PATH) + " check --config - < " + file.string()},
      dir_);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("<stdin>:3:14: malformed JSON: "));
  const fs::path good = write("good.json", R"({"passengers": [], "users": []})");
  const ProgramResult ok = run_program(
      {"/bin/sh", "-c", std::string(DATABUS_CLI_PATH) + " check --config - < " + good.string()},
      dir_);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("<stdin>: 0 problem(s), 0 environment reference(s)"));
  EXPECT_EQ(databus({"check", "--config", (dir_ / "missing.json").string()}).exit_code, 2);
}

TEST_F(CliCatalogTest, ComponentsListsSettingsDefaultsAndOrigin) {
  const ProgramResult text = databus({"components"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("pusher databus.pusher.smtp  (built in)"));
  EXPECT_THAT(text.out, HasSubstr("  - port: whole number, from 0 to 65535, default 0. "));
  EXPECT_THAT(text.out, HasSubstr("  - password: string, default \"\", secret. "));
  const ProgramResult json = databus({"components", "--json"});
  ASSERT_EQ(json.exit_code, 0);
  const nlohmann::json catalog = nlohmann::json::parse(json.out);
  bool found = false;
  for (const nlohmann::json& c : catalog["pullers"]) {
    if (c["name"] != "databus.puller.directory") continue;
    found = true;
    EXPECT_EQ(c["plugin"], "");
    EXPECT_EQ(c["settings"][0]["key"], "path");
    EXPECT_EQ(c["settings"][0]["host"], "path");
  }
  EXPECT_TRUE(found);
}

TEST_F(CliCatalogTest, SchemaIsAJsonSchemaOfTheConfiguration) {
  const ProgramResult result = databus({"schema"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json schema = nlohmann::json::parse(result.out);
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  const std::string pushers = schema["$defs"]["pusher"].dump();
  EXPECT_THAT(pushers, HasSubstr("databus.pusher.smtp"));
  EXPECT_THAT(pushers, HasSubstr("\"maximum\":65535"));
}

}  // namespace
}  // namespace databus::cli
