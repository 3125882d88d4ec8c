#include "storage/postgresql/pg_database.h"

#include <gtest/gtest.h>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/database_conformance.h"
#include "storage/memory/memory_database.h"
#include "storage/postgresql/pg_connection.h"
#include "storage/postgresql/pg_test_server.h"

namespace databus {
namespace {

using testing_support::pg_test_arguments;
using testing_support::pg_test_conninfo;

// A schema per test directory: reopen() on the same directory sees the data.
std::unique_ptr<Database> open_for_conformance(const std::filesystem::path& dir) {
  const std::optional<std::string> conninfo = pg_test_conninfo();
  if (!conninfo) {
    []() { GTEST_SKIP() << "no PostgreSQL test server (run through ctest)"; }();
    return std::make_unique<MemoryDatabase>();  // Never used: the test is skipped.
  }
  return open_postgresql_database({dir, pg_test_arguments(*conninfo, dir.filename().string())});
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Postgresql, DatabaseConformanceTest,
                         testing::Values(ConformanceEngine{"postgresql", open_for_conformance}),
                         ConformanceEngine::name_of);

namespace {

class PgDatabaseTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> conninfo = pg_test_conninfo();
    if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
    conninfo_ = *conninfo;
  }
  std::string conninfo_;
};

TEST_F(PgDatabaseTest, SeparateArgumentsWorkLikeAConnectionString) {
  // Take the conninfo apart into the single arguments.
  DatabaseArguments arguments{{"schema", "t_separate_" + std::to_string(::getpid())}};
  std::string password;
  for (std::size_t at = 0; at < conninfo_.size();) {
    std::size_t end = conninfo_.find(' ', at);
    if (end == std::string::npos) end = conninfo_.size();
    const std::string pair = conninfo_.substr(at, end - at);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos) arguments[pair.substr(0, eq)] = pair.substr(eq + 1);
    at = end + 1;
  }
  auto db = open_postgresql_database({"", arguments});
  EXPECT_EQ(db->engine(), "postgresql");
  const std::string description = db->describe();
  EXPECT_NE(description.find(arguments["port"]), std::string::npos);
  EXPECT_EQ(description.find(arguments["password"]), std::string::npos);
  db->write_client_config_text("demo", "{}");
  EXPECT_EQ(db->client_ids(), std::vector<std::string>{"demo"});
}

TEST_F(PgDatabaseTest, WrongPasswordIsAStorageErrorThatDoesNotShowThePassword) {
  const std::string secret = "not-the-password-" + new_uuid();
  DatabaseArguments arguments = pg_test_arguments(conninfo_, "wrong_password");
  arguments["password"] = secret;
  try {
    open_postgresql_database({"", arguments});
    FAIL() << "connected with a wrong password";
  } catch (const StorageError& e) {
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos) << e.what();
  }
  // A connection string quoted back by libpq is scrubbed too.
  PgSettings settings = PgSettings::from_arguments({{"conninfo", "password=" + secret}});
  EXPECT_EQ(settings.scrub("bad \"password=" + secret + "\""), "bad \"password=***\"");
}

TEST_F(PgDatabaseTest, UnknownArgumentsAreConfigErrorsNamingTheKey) {
  try {
    open_postgresql_database({"", {{"hostname", "x"}}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "hostname");
  }
}

TEST_F(PgDatabaseTest, SchemasKeepDatabasesApart) {
  auto a = open_postgresql_database({"", pg_test_arguments(conninfo_, "apart_a_" + new_uuid())});
  auto b = open_postgresql_database({"", pg_test_arguments(conninfo_, "apart_b_" + new_uuid())});
  a->write_client_config_text("only_in_a", "{}");
  EXPECT_TRUE(b->client_ids().empty());
  EXPECT_NE(a->describe(), b->describe());
}

// Schema 3 added attachments.full_name: a row written before reads with no
// full name (as a passenger.json without the key does), and the migrated
// schema keeps the full names written after.
TEST_F(PgDatabaseTest, AttachmentsOfSchema2ReadWithNoFullName) {
  const DatabaseArguments arguments =
      pg_test_arguments(conninfo_, "full_name_" + new_uuid().substr(24));
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = "x-2";
  p.passenger_module = "m";
  const std::string given = std::string(296, 'z') + ".xml";
  const std::string shortened = p.add_attachment(given, AttachmentFormat::text, "z");
  const QueueEntry e = QueueEntry::seat(p, {"proc"}, {"push"});
  open_postgresql_database({"", arguments})->insert_entries("demo", std::span(&e, 1));
  // What schema 2 held: no full_name column.
  PgConnection(PgSettings::from_arguments(arguments))
      .run_script(
          "DROP TABLE cluster_nodes, cluster_state, leases, web_sessions, web_secrets, "
          "flow_minutes, attachment_chunks, "
          "passenger_state; ALTER TABLE attachments DROP COLUMN full_name, DROP COLUMN spooled; "
          "ALTER TABLE clients "
          "DROP COLUMN config_version, DROP COLUMN config_saved_by; ALTER TABLE entries DROP "
          "COLUMN due_at, DROP COLUMN failing, DROP COLUMN quarantined; DROP INDEX "
          "entries_unnotified; "
          "UPDATE schema_version SET "
          "version = 2");

  auto db = open_postgresql_database({"", arguments});
  std::optional<QueueEntry> loaded = db->load_entry("demo", p.internal_id);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->passenger.attachments.size(), 1u);
  EXPECT_EQ(loaded->passenger.attachments[0].name, shortened);
  EXPECT_EQ(loaded->passenger.attachments[0].full_name, "");
  EXPECT_EQ(loaded->passenger.attachments[0].content, "z");

  db->update_entries("demo", std::span(&e, 1), SaveScope::everything);
  EXPECT_EQ(db->load_entry("demo", p.internal_id), e);
  EXPECT_EQ(db->load_entry("demo", p.internal_id)->passenger.attachments[0].full_name, given);
}

TEST_F(PgDatabaseTest, LargeBatchesSpanSeveralStatements) {
  auto db = open_postgresql_database({"", pg_test_arguments(conninfo_, "batch_" + new_uuid())});
  std::vector<QueueEntry> entries;
  for (int i = 0; i < 2500; ++i) {  // More than one multi-row statement holds.
    Passenger p;
    p.internal_id = new_uuid();
    p.external_id = "ID_" + std::to_string(i);
    p.passenger_module = "m";
    p.add_attachment("a.txt", AttachmentFormat::text, std::to_string(i));
    entries.push_back(QueueEntry::seat(std::move(p), {"proc"}, {"push"}));
  }
  db->insert_entries("demo", entries);
  for (auto& e : entries) e.complete_all_steps();
  db->update_entries("demo", entries, SaveScope::statuses);
  EntryQuery complete;
  complete.filter = EntryFilter::complete;
  EXPECT_EQ(db->count_entries("demo", complete), 0u);  // Not notified yet.
  for (auto& e : entries) e.puller_notified = true;
  db->update_entries("demo", entries, SaveScope::everything);
  EXPECT_EQ(db->count_entries("demo", complete), entries.size());
  EXPECT_EQ(db->load_entry("demo", entries[2400].passenger.internal_id), entries[2400]);
}

}  // namespace
}  // namespace databus
