// The conformance suite, part 1: setup, clients, customizing backups, logs.
// The queue tests are in database_conformance_queue.cc, attachment names in
// database_conformance_names.cc.
#include "storage/database_conformance.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <set>

#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DatabaseConformanceTest);

void DatabaseConformanceTest::SetUp() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::path(testing::TempDir()) /
         ("databus_conformance_" + GetParam().name + "_" + std::to_string(::getpid()) + "_" +
          std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  db_ = GetParam().open(dir_);
  ASSERT_NE(db_, nullptr);
}

void DatabaseConformanceTest::TearDown() {
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::unique_ptr<Database> DatabaseConformanceTest::reopen() { return GetParam().open(dir_); }

namespace {

// Times with microsecond precision: what every engine keeps (the ISO form).
TimePoint at(const char* iso) { return parse_iso(iso); }

Log make_log(TimePoint created, std::vector<LogType> types) {
  Log log(new_uuid(), created);
  int i = 0;
  for (LogType type : types) {
    log.append(LogEntry{created + std::chrono::microseconds(++i), "databus.driver.primal_driver",
                        type, "message " + std::to_string(i)});
  }
  return log;
}

}  // namespace

// --- Clients -------------------------------------------------------------------

TEST_P(DatabaseConformanceTest, ClientConfigRoundTrip) {
  ClientConfig demo = demo_client_config();
  db_->write_client_config_text("demo", demo.to_json().dump(2));
  db_->write_client_config_text("root", root_client_config().to_json().dump());
  EXPECT_EQ(db_->client_ids(), (std::vector<std::string>{"demo", "root"}));
  EXPECT_EQ(db_->load_client("demo"), demo);
  EXPECT_EQ(db_->load_client("root"), root_client_config());
}

TEST_P(DatabaseConformanceTest, ConfigTextIsKeptVerbatimAndReplaced) {
  const std::string first = "{ \"log_life_span\": 3 }\n";
  db_->write_client_config_text("acme", first);
  EXPECT_EQ(db_->read_client_config_text("acme"), first);
  EXPECT_EQ(db_->load_client("acme").log_life_span, 3);
  const std::string second = "{\"log_life_span\": 7, \"passengers\": [], \"users\": []}";
  db_->write_client_config_text("acme", second);
  EXPECT_EQ(db_->read_client_config_text("acme"), second);
  EXPECT_EQ(db_->load_client("acme").log_life_span, 7);
}

TEST_P(DatabaseConformanceTest, UnknownClientIsNotFound) {
  EXPECT_TRUE(db_->client_ids().empty());
  EXPECT_THROW(db_->load_client("nobody"), NotFoundError);
  EXPECT_THROW(db_->read_client_config_text("nobody"), NotFoundError);
  // Logs alone do not make a client.
  db_->write_log("nobody", make_log(at("2024-01-01T00:00:00"), {LogType::info}));
  EXPECT_TRUE(db_->client_ids().empty());
}

TEST_P(DatabaseConformanceTest, MalformedConfigIsConfigError) {
  db_->write_client_config_text("broken", "{ \"log_life_span\": ");
  EXPECT_EQ(db_->read_client_config_text("broken"), "{ \"log_life_span\": ");
  EXPECT_THROW(db_->load_client("broken"), ConfigError);
  db_->write_client_config_text("typo", "{ \"log_life_span\": 1, \"pasengers\": [] }");
  EXPECT_THROW(db_->load_client("typo"), ConfigError);
}

TEST_P(DatabaseConformanceTest, ClientIdsThatAreNotFileNamesAreRefused) {
  for (const std::string id : {"", ".", "..", "../etc", "a/b", "a b", "x\\y"}) {
    EXPECT_THROW(db_->write_client_config_text(id, "{}"), ConfigError) << id;
    EXPECT_THROW(db_->read_client_config_text(id), ConfigError) << id;
    EXPECT_THROW(db_->list_logs(id), ConfigError) << id;
    EXPECT_THROW(db_->query_entries(id, EntryQuery{}), ConfigError) << id;
  }
  db_->write_client_config_text("Client_1.test-2", "{}");
  EXPECT_EQ(db_->client_ids(), std::vector<std::string>{"Client_1.test-2"});
}

// --- Customizing backups ------------------------------------------------------

TEST_P(DatabaseConformanceTest, BackupsAreListedAndDeletedByAge) {
  const TimePoint before_write = Clock::now() - std::chrono::seconds(5);
  db_->write_backup("demo", "__databus__", "{\"a\": 1}");
  db_->write_backup("demo", "__clients__", "{\"b\": 2}");
  db_->write_backup("demo", "__databus__", "{\"a\": 3}");
  db_->write_backup("other", "__databus__", "{}");

  std::vector<BackupInfo> backups = db_->list_backups("demo");
  ASSERT_EQ(backups.size(), 3u);
  std::multiset<std::string> nodes;
  std::set<std::string> ids;
  for (const BackupInfo& b : backups) {
    nodes.insert(b.node);
    ids.insert(b.id);
    EXPECT_GE(b.created, before_write);
    EXPECT_LE(b.created, Clock::now() + std::chrono::seconds(5));
  }
  EXPECT_EQ(nodes, (std::multiset<std::string>{"__clients__", "__databus__", "__databus__"}));
  EXPECT_EQ(ids.size(), 3u);

  EXPECT_EQ(db_->delete_backups_before("demo", before_write), 0u);
  EXPECT_EQ(db_->list_backups("demo").size(), 3u);
  EXPECT_EQ(db_->delete_backups_before("demo", Clock::now() + std::chrono::minutes(1)), 3u);
  EXPECT_TRUE(db_->list_backups("demo").empty());
  EXPECT_EQ(db_->list_backups("other").size(), 1u);
  EXPECT_TRUE(db_->list_backups("nobody").empty());
}

TEST_P(DatabaseConformanceTest, BackupsAreReadAndRestoredWithTheirIdAndTime) {
  db_->write_backup("demo", "__databus__", "{\"a\": \"\xc3\xa4\"}\n");
  const std::vector<BackupInfo> written = db_->list_backups("demo");
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(db_->read_backup("demo", written[0].id), "{\"a\": \"\xc3\xa4\"}\n");
  EXPECT_FALSE(db_->read_backup("demo", new_uuid() + "-__databus__"));
  EXPECT_FALSE(db_->read_backup("other", written[0].id));
  EXPECT_THROW(db_->read_backup("demo", "../config"), ConfigError);

  // Restored: listed with the given id, node and (microsecond) time.
  const BackupInfo old{new_uuid() + "-__clients__", "__clients__",
                       parse_iso("2023-01-02T03:04:05.678901") + std::chrono::nanoseconds(7)};
  db_->restore_backup("demo", old, "{\"b\": 1}");
  std::vector<BackupInfo> listed = db_->list_backups("demo");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, old.id);  // Oldest first.
  EXPECT_EQ(listed[0].node, "__clients__");
  EXPECT_EQ(listed[0].created, parse_iso("2023-01-02T03:04:05.678901"));
  EXPECT_EQ(db_->read_backup("demo", old.id), "{\"b\": 1}");

  // The same id again replaces it; a purge by age sees the restored time.
  db_->restore_backup("demo", old, "{\"b\": 2}");
  EXPECT_EQ(db_->list_backups("demo").size(), 2u);
  EXPECT_EQ(db_->read_backup("demo", old.id), "{\"b\": 2}");
  EXPECT_EQ(db_->delete_backups_before("demo", parse_iso("2024-01-01T00:00:00")), 1u);
  EXPECT_FALSE(db_->read_backup("demo", old.id));

  // Ids must be "<uuid>-<node>".
  EXPECT_THROW(db_->restore_backup("demo", {"x-__clients__", "__clients__", {}}, "{}"),
               ConfigError);
  EXPECT_THROW(db_->restore_backup("demo", {new_uuid() + "-a", "b", {}}, "{}"), ConfigError);
  EXPECT_THROW(db_->restore_backup("demo", {new_uuid() + "-..", "..", {}}, "{}"), ConfigError);
  EXPECT_EQ(db_->list_backups("demo").size(), 1u);
}

TEST_P(DatabaseConformanceTest, BackupNodeNamesThatAreNotFileNamesAreRefused) {
  EXPECT_THROW(db_->write_backup("demo", "../config", "{}"), ConfigError);
  EXPECT_THROW(db_->write_backup("demo", "", "{}"), ConfigError);
  EXPECT_TRUE(db_->list_backups("demo").empty());
}

// --- Logs ------------------------------------------------------------------------

TEST_P(DatabaseConformanceTest, LogsRoundTripAndListNewestFirstWithWorstType) {
  Log old_log = make_log(at("2020-04-15T17:12:00.139335"), {LogType::info, LogType::error});
  Log mid_log = make_log(at("2021-01-01T08:00:00.000001"), {LogType::warning, LogType::info});
  Log new_log = make_log(at("2022-11-06T22:13:01.294628"), {LogType::info});
  Log empty_log(new_uuid(), at("2019-05-05T05:05:05.5"));
  for (const Log* log : {&mid_log, &old_log, &new_log, &empty_log}) db_->write_log("demo", *log);

  std::vector<LogSummary> list = db_->list_logs("demo");
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].guid, new_log.guid());
  EXPECT_EQ(list[0].worst_type, LogType::info);
  EXPECT_EQ(list[0].created, new_log.created());
  EXPECT_EQ(list[1].guid, mid_log.guid());
  EXPECT_EQ(list[1].worst_type, LogType::warning);
  EXPECT_EQ(list[2].guid, old_log.guid());
  EXPECT_EQ(list[2].worst_type, LogType::error);
  EXPECT_EQ(list[3].guid, empty_log.guid());

  EXPECT_EQ(db_->read_log("demo", old_log.guid()), old_log);
  EXPECT_EQ(db_->read_log("demo", mid_log.guid()), mid_log);
  EXPECT_EQ(db_->read_log("demo", empty_log.guid()), empty_log);
  EXPECT_TRUE(db_->list_logs("other").empty());
}

TEST_P(DatabaseConformanceTest, RewritingALogReplacesIt) {
  Log log = make_log(at("2023-03-03T03:03:03.333333"), {LogType::info});
  db_->write_log("demo", log);
  log.error("databus.driver.primal_driver", "late failure");
  db_->write_log("demo", log);
  std::vector<LogSummary> list = db_->list_logs("demo");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].worst_type, LogType::error);
  std::optional<Log> read = db_->read_log("demo", log.guid());
  ASSERT_TRUE(read);
  ASSERT_EQ(read->entries().size(), 2u);
  EXPECT_EQ(read->entries()[1].message, "late failure");
}

TEST_P(DatabaseConformanceTest, LogsAreDeletedOneByOneAndByAge) {
  Log a = make_log(at("2020-01-01T00:00:00"), {LogType::info});
  Log b = make_log(at("2021-01-01T00:00:00"), {LogType::warning});
  Log c = make_log(at("2022-01-01T00:00:00"), {LogType::error});
  for (const Log* log : {&a, &b, &c}) db_->write_log("demo", *log);

  EXPECT_TRUE(db_->delete_log("demo", b.guid()));
  EXPECT_FALSE(db_->delete_log("demo", b.guid()));
  EXPECT_FALSE(db_->read_log("demo", b.guid()));
  EXPECT_EQ(db_->list_logs("demo").size(), 2u);

  EXPECT_EQ(db_->delete_logs_before("demo", at("2020-01-01T00:00:00")), 0u);
  EXPECT_EQ(db_->delete_logs_before("demo", at("2021-06-01T00:00:00")), 1u);
  std::vector<LogSummary> list = db_->list_logs("demo");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].guid, c.guid());
  EXPECT_TRUE(db_->read_log("demo", c.guid()));
}

TEST_P(DatabaseConformanceTest, UnknownLogIsNullopt) {
  EXPECT_FALSE(db_->read_log("demo", new_uuid()));
  EXPECT_FALSE(db_->delete_log("demo", new_uuid()));
  EXPECT_EQ(db_->delete_logs_before("demo", Clock::now()), 0u);
  EXPECT_THROW(db_->read_log("demo", "../../config"), ConfigError);
  EXPECT_THROW(db_->write_log("demo", Log("not-a-guid", Clock::now())), ConfigError);
}

}  // namespace databus
