#include "storage/postgresql/pg_sessions.h"

#include <gtest/gtest.h>

#include "databus/uuid.h"
#include "storage/postgresql/pg_database.h"
#include "storage/postgresql/pg_schema.h"
#include "storage/postgresql/pg_test_server.h"
#include "storage/session_storage_conformance.h"

namespace databus {
namespace {

using testing_support::pg_test_arguments;
using testing_support::pg_test_conninfo;

// One node's view of the schema: a pool of its own and the storage on it.
struct PgNode {
  explicit PgNode(const DatabaseArguments& arguments)
      : pool(PgSettings::from_arguments(arguments), 2), storage(pool) {}
  PgPool pool;
  PgSessionStorage storage;
};

// Two nodes on a fresh schema: each has its own connections, as two
// processes would (a second PgDatabase on the schema is refused while leases
// are missing, docs/storage-engines.md "One process per store").
SessionStorageNodes open_two_nodes() {
  const std::optional<std::string> conninfo = pg_test_conninfo();
  if (!conninfo) {
    []() { GTEST_SKIP() << "no PostgreSQL test server (run through ctest)"; }();
    return {};
  }
  const DatabaseArguments arguments = pg_test_arguments(*conninfo, "sessions_" + new_uuid());
  auto a = std::make_shared<PgNode>(arguments);
  migrate_pg_schema(a->pool);
  auto b = std::make_shared<PgNode>(arguments);
  return {std::shared_ptr<SessionStorage>(a, &a->storage),
          std::shared_ptr<SessionStorage>(b, &b->storage)};
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Postgresql, SessionStorageConformanceTest,
                         testing::Values(SessionStorageEngine{"postgresql", open_two_nodes}),
                         SessionStorageEngine::name_of);

namespace {

class PgSessionsTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> conninfo = pg_test_conninfo();
    if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
    arguments_ = pg_test_arguments(*conninfo, "pg_sessions_" + new_uuid());
  }
  DatabaseArguments arguments_;
};

// The engine offers its storage, and what it stores is on the schema for
// any other node: a session made through the engine is found, flashed and
// removed by another node's storage, and the reverse.
TEST_F(PgSessionsTest, TheEngineSharesSessionsThroughItsSchema) {
  std::unique_ptr<Database> db = open_postgresql_database({"", arguments_});
  SessionStorage* engine = db->session_storage();
  ASSERT_NE(engine, nullptr);
  PgNode other(arguments_);

  SessionRecord r;
  r.key = "made-on-the-engine";
  r.client_id = "demo";
  r.username = "ann";
  r.created = r.last_seen = Clock::now();
  engine->put(r);
  ASSERT_TRUE(other.storage.find(r.key).has_value());
  engine->set_flash(r.key, "saved");
  EXPECT_EQ(other.storage.take_flash(r.key), "saved");
  other.storage.remove(r.key);
  EXPECT_FALSE(engine->find(r.key).has_value());
  EXPECT_EQ(other.storage.shared_secret("x"), engine->shared_secret("y"));
}

}  // namespace
}  // namespace databus
