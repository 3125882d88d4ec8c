#include "export/client_export.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <tuple>

#include "databus/builtins.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/json_db/json_database.h"
#include "storage/memory/memory_database.h"
#include "storage/postgresql/pg_database.h"
#include "storage/postgresql/pg_test_server.h"
#include "storage/sqlite/sqlite_database.h"
#include "storage/testing/faulty_database.h"

namespace databus {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = std::string("\x89PNG\r\n\x1a\n\0\0\xff", 11);

// A client with everything a JSON DB stores: configuration with users,
// entries in every state with text, binary and empty attachments, logs of
// every worst type, state documents of two passengers.
void fill(Database& db, const std::string& client) {
  ClientConfig config = demo_client_config();
  config.users.push_back({"operator", "secret", "token-1", Role::operator_});
  db.write_client_config_text(client, config.to_json().dump(2) + "\n");
  std::vector<QueueEntry> entries;
  for (int i = 0; i < 7; ++i) {
    Passenger p;
    p.internal_id = new_uuid();
    p.external_id = "ID_" + std::to_string(i);
    p.source_system = "DEMO_SYSTEM";
    p.passenger_module = config.passengers[i % 2].name;
    p.puller_module = "databus.puller.demo.demo_puller_1";
    p.pull_datetime = parse_iso("2024-05-06T07:08:09.123456") + std::chrono::minutes(i);
    p.add_attachment("body.txt", AttachmentFormat::text, "Lorem Ipsum " + std::to_string(i));
    if (i % 3 == 0) p.add_attachment("image.png", AttachmentFormat::binary, kBinary);
    if (i == 4) p.add_attachment("empty.bin", AttachmentFormat::binary, "");
    p.add_log_guid(new_uuid());
    QueueEntry e = QueueEntry::seat(p, {"databus.processor.demo.demo_processor_1"},
                                    {"databus.pusher.demo.demo_pusher_1"});
    e.puller_notified = i % 2 == 0;
    if (i >= 4) e.complete_all_steps();
    if (i == 1)
      e.pusher_statuses[0] = {"databus.pusher.demo.demo_pusher_1", StepStatus::incomplete, 2,
                              "HTTP 503"};
    entries.push_back(std::move(e));
  }
  db.insert_entries(client, entries);
  for (int i = 0; i < 3; ++i) {
    Log log(new_uuid(), parse_iso("2024-05-06T08:00:00") + std::chrono::hours(i));
    log.info("databus.driver.primal_driver", "drive " + std::to_string(i));
    if (i > 0) log.add("databus.pusher.demo.demo_pusher_1", static_cast<LogType>(i), "trouble");
    db.write_log(client, log);
  }
  db.write_passenger_state(client, config.passengers[0].name, "puller_health",
                           "{\"failures\": 2, \"error\": \"m\u00fcde \\\"x\\\"\nline\"}");
  db.write_passenger_state(client, config.passengers[0].name, "in_flight", "[]");
  db.write_passenger_state(client, config.passengers[1].name, "cursor", "42");
  db.write_backup(client, "__databus__", "{\"previous\": 1}");
  db.write_backup(client, "__clients__", std::string("{\"b\": \"\xc3\xa4\"}\n"));
}

// A backup as compared across engines: times kept to the microsecond.
struct BackupCopy {
  BackupInfo info;
  std::string text;
  bool operator==(const BackupCopy& o) const {
    return std::tie(info.id, info.node, info.created, text) ==
           std::tie(o.info.id, o.info.node, o.info.created, o.text);
  }
};

struct Snapshot {
  std::string config;
  std::vector<QueueEntry> entries;
  std::vector<Log> logs;
  std::vector<BackupCopy> backups;
  // Of each configured passenger.
  std::map<std::string, std::map<std::string, std::string>> passenger_states;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(Database& db, const std::string& client) {
  Snapshot s{db.read_client_config_text(client), db.query_entries(client, EntryQuery{}), {}};
  for (const LogSummary& summary : db.list_logs(client)) {
    s.logs.push_back(*db.read_log(client, summary.guid));
  }
  for (BackupInfo info : db.list_backups(client)) {
    info.created = std::chrono::floor<std::chrono::microseconds>(info.created);
    s.backups.push_back({info, db.read_backup(client, info.id).value_or("(missing)")});
  }
  for (const ClientPassenger& passenger : db.load_client(client).passengers) {
    s.passenger_states[passenger.name] = db.list_passenger_state(client, passenger.name);
  }
  // Engines keeping nanoseconds may order two backups of one microsecond
  // otherwise than those keeping microseconds.
  std::sort(s.backups.begin(), s.backups.end(), [](const BackupCopy& a, const BackupCopy& b) {
    return std::tie(a.info.created, a.info.id) < std::tie(b.info.created, b.info.id);
  });
  return s;
}

class ClientExportTest : public testing::Test {
 protected:
  void SetUp() override { dir_ = fs::path(testing::TempDir()) / ("databus_export_" + new_uuid()); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ClientExportTest, RoundTripJsonDbSqlitePostgresqlJsonDbKeepsEverything) {
  const std::optional<std::string> conninfo = testing_support::pg_test_conninfo();
  if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
  auto json = open_json_database({dir_ / "json", {}});
  fill(*json, "acme");
  auto sqlite = open_sqlite_database({dir_ / "sqlite", {}});
  auto postgresql = open_postgresql_database(
      {"", testing_support::pg_test_arguments(*conninfo, "export_" + new_uuid())});
  auto back = open_json_database({dir_ / "back", {}});

  const Snapshot original = snapshot(*json, "acme");
  ASSERT_EQ(original.entries.size(), 7u);
  ASSERT_EQ(original.logs.size(), 3u);
  ASSERT_EQ(original.backups.size(), 2u);
  std::size_t states = 0;
  for (const auto& [passenger, documents] : original.passenger_states) states += documents.size();
  ASSERT_EQ(states, 3u);
  export_client(*json, *sqlite, "acme");
  export_client(*sqlite, *postgresql, "acme");
  const ExportReport report = export_client(*postgresql, *back, "acme");
  EXPECT_EQ(report.entries, 7u);
  EXPECT_EQ(report.logs, 3u);
  EXPECT_EQ(report.backups, 2u);
  EXPECT_EQ(report.passenger_states, 3u);
  EXPECT_TRUE(report.configuration);
  EXPECT_EQ(snapshot(*sqlite, "acme"), original);
  EXPECT_EQ(snapshot(*postgresql, "acme"), original);
  EXPECT_EQ(snapshot(*back, "acme"), original);
  EXPECT_EQ(back->load_client("acme"), json->load_client("acme"));  // Users included.
}

TEST_F(ClientExportTest, ProgressCountsEveryItemAndARerunRewrites) {
  auto json = open_json_database({dir_ / "json", {}});
  fill(*json, "acme");
  auto sqlite = open_sqlite_database({dir_ / "sqlite", {}});
  std::vector<ExportProgress> seen;
  ExportOptions options;
  options.batch_size = 3;
  options.progress = [&](const ExportProgress& p) { seen.push_back(p); };
  export_client(*json, *sqlite, "acme", options);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().phase, "configuration");
  EXPECT_EQ(seen.back().done, 1u + 2u + 7u + 3u);
  EXPECT_EQ(seen.back().total, 1u + 2u + 7u + 3u);
  EXPECT_EQ(seen.back().phase, "logs");

  // Change an entry in the source and export again: the target follows.
  QueueEntry changed = json->query_entries("acme", EntryQuery{}).front();
  changed.complete_all_steps();
  changed.passenger.attachments.clear();
  json->update_entries("acme", std::span(&changed, 1), SaveScope::everything);
  export_client(*json, *sqlite, "acme");
  EXPECT_EQ(snapshot(*sqlite, "acme"), snapshot(*json, "acme"));
}

TEST_F(ClientExportTest, UnknownClientIsNotFound) {
  MemoryDatabase from;
  MemoryDatabase to;
  EXPECT_THROW(export_client(from, to, "nobody"), NotFoundError);
  EXPECT_THROW(export_client(from, to, "../x"), ConfigError);
}

class CountingObserver : public DispatcherObserver {
 public:
  void export_begin(const std::string&) override { ++begins; }
  void export_end(const std::string&, bool ok, const std::string& error) override {
    ++ends;
    last_ok = ok;
    last_error = error;
  }
  std::atomic<int> begins{0};
  std::atomic<int> ends{0};
  std::atomic<bool> last_ok{false};
  std::string last_error;
};

DispatcherTicket memory_ticket(std::shared_ptr<CountingObserver> observer) {
  DispatcherTicket ticket;
  ticket.registry = builtin_registry();
  ticket.database_module = "memory";
  ticket.run_web_server = false;
  ticket.dispatcher_observer = std::move(observer);
  return ticket;
}

TEST_F(ClientExportTest, DispatcherIsPausedDuringTheExportAndResumedAfterAFailure) {
  auto observer = std::make_shared<CountingObserver>();
  Dispatcher dispatcher(memory_ticket(observer));
  dispatcher.start();
  MemoryDatabase target_store;
  FaultyDatabase target(target_store);
  target.fail_method("insert_entries");
  fill(dispatcher.database(), "demo");
  EXPECT_THROW(export_client(dispatcher, target, "demo"), StorageError);
  EXPECT_EQ(observer->ends.load(), 1);
  EXPECT_FALSE(observer->last_ok.load());
  EXPECT_NE(observer->last_error.find("insert_entries"), std::string::npos);
  EXPECT_EQ(dispatcher.status().state, DispatcherState::running);
  EXPECT_FALSE(dispatcher.status().export_running);

  // Paused before: still paused after. Nothing is driven now, so both agree.
  target.heal();
  dispatcher.pause();
  std::future<ExportReport> running = start_export(
      dispatcher, std::make_unique<DatabaseWrapper>(static_cast<Database&>(target)), "demo");
  // The running dispatcher may have driven "demo" (pulled, purged) before
  // the pause, and pause() does not wait for a drive in flight: the export
  // does. So the source is counted only once the export has returned (two
  // calls in one EXPECT_EQ run in either order).
  const std::size_t exported = running.get().entries;
  EXPECT_EQ(exported, dispatcher.database().count_entries("demo", EntryQuery{}));
  EXPECT_TRUE(observer->last_ok.load());
  EXPECT_EQ(observer->begins.load(), 2);
  EXPECT_EQ(dispatcher.status().state, DispatcherState::paused);
  EXPECT_EQ(snapshot(target, "demo"), snapshot(dispatcher.database(), "demo"));
  dispatcher.shutdown();
  dispatcher.wait();
}

}  // namespace
}  // namespace databus
