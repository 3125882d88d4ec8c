#include "cli/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace databus::cli {
namespace {

using ::testing::HasSubstr;

TEST(ParseDatabaseArguments, SplitsAtTheFirstEquals) {
  const DatabaseArguments arguments =
      parse_database_arguments({"host=db.local", "dsn=a=b", "password="});
  EXPECT_EQ(arguments.at("host"), "db.local");
  EXPECT_EQ(arguments.at("dsn"), "a=b");
  EXPECT_EQ(arguments.at("password"), "");
  EXPECT_EQ(arguments.size(), 3u);
}

TEST(ParseDatabaseArguments, LastValueOfARepeatedKeyWins) {
  EXPECT_EQ(parse_database_arguments({"port=1", "port=2"}).at("port"), "2");
}

TEST(ParseDatabaseArguments, RejectsTextWithoutKeyOrEquals) {
  EXPECT_THROW(parse_database_arguments({"host"}), UsageError);
  EXPECT_THROW(parse_database_arguments({"=value"}), UsageError);
}

TEST(ParseDatabaseArguments, ErrorNamesTheFlagAndTheText) {
  try {
    parse_database_arguments({"ok=1", "broken"});
    FAIL() << "no error for \"broken\"";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--database-arg"));
    EXPECT_THAT(e.what(), HasSubstr("\"broken\""));
  }
}

TEST(ParseExternalConfig, SplitsClientIdAndPath) {
  const ExternalConfigFile file = parse_external_config("demo:mapping:/etc/x:y.json");
  EXPECT_EQ(file.client_id, "demo");
  EXPECT_EQ(file.id, "mapping");
  EXPECT_EQ(file.path, std::filesystem::path("/etc/x:y.json"));
}

TEST(ParseExternalConfig, RejectsMissingParts) {
  for (const char* text : {"", "demo", "demo:id", "demo:id:", ":id:path", "demo::path"}) {
    EXPECT_THROW(parse_external_config(text), UsageError) << text;
  }
}

TEST(TicketFrom, CarriesTheStorageOptions) {
  StorageOptions options;
  options.data_dir = "/tmp/somewhere";
  options.database = "memory";
  options.database_args = {"a=1"};
  const DispatcherTicket ticket = ticket_from(options);
  EXPECT_EQ(ticket.data_dir, std::filesystem::path("/tmp/somewhere"));
  EXPECT_EQ(ticket.database_module, "memory");
  EXPECT_EQ(ticket.database_arguments, (DatabaseArguments{{"a", "1"}}));
}

TEST(TicketFrom, DefaultsMatchTheTicketDefaults) {
  const DispatcherTicket ticket = ticket_from(StorageOptions{});
  const DispatcherTicket defaults;
  EXPECT_EQ(ticket.data_dir, defaults.data_dir);
  EXPECT_EQ(ticket.database_module, defaults.database_module);
  EXPECT_TRUE(ticket.database_arguments.empty());
}

TEST(TicketFrom, RejectsAnEmptyDataDir) {
  StorageOptions options;
  options.data_dir = "";
  EXPECT_THROW(ticket_from(options), UsageError);
}

}  // namespace
}  // namespace databus::cli
