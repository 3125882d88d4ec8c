// The PostgreSQL engine's retry columns (schema 7, pg_schema.cc): a schema
// of version 6 is migrated with the retry states of its entries computed
// from their steps.
#include <gtest/gtest.h>

#include "databus/uuid.h"
#include "storage/postgresql/pg_connection.h"
#include "storage/postgresql/pg_database.h"
#include "storage/postgresql/pg_schema.h"
#include "storage/postgresql/pg_test_server.h"
#include "storage/sql/sql_codec.h"

namespace databus {
namespace {

using testing_support::pg_test_arguments;
using testing_support::pg_test_conninfo;

QueueEntry entry(const std::string& external_id, int minute) {
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = external_id;
  p.source_system = "s";
  p.passenger_module = "m";
  p.puller_module = "pull";
  p.pull_datetime = sql::from_micros(60'000'000LL * minute);
  QueueEntry e = QueueEntry::seat(std::move(p), {"proc"}, {"push"});
  e.puller_notified = true;
  return e;
}

// What schema 6 held of `e`: the row without the retry columns.
std::string insert_v6(const QueueEntry& e) {
  const Passenger& p = e.passenger;
  const sql::EntryFlags f = sql::EntryFlags::of(e);
  return "INSERT INTO entries (client_id, internal_id, external_id, source_system, "
         "passenger_module, puller_module, pull_time, notified, processors_complete, "
         "pushers_complete, complete, steps, log_guids) VALUES ('demo', '" +
         p.internal_id + "', '" + p.external_id + "', 's', 'm', 'pull', " +
         std::to_string(sql::to_micros(p.pull_datetime)) + ", " + std::to_string(f.notified) +
         ", " + std::to_string(f.processors_complete) + ", " + std::to_string(f.pushers_complete) +
         ", " + std::to_string(f.complete) + ", '" + sql::encode_steps(e) + "', '');";
}

std::vector<std::string> ids(const std::vector<QueueEntry>& entries) {
  std::vector<std::string> out;
  for (const QueueEntry& e : entries) out.push_back(e.passenger.external_id);
  return out;
}

TEST(PgRetryTest, Schema6IsMigratedWithTheRetryStatesOfTheSteps) {
  const std::optional<std::string> conninfo = pg_test_conninfo();
  if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
  const DatabaseArguments arguments = pg_test_arguments(*conninfo, "retry_" + new_uuid());
  QueueEntry fresh = entry("fresh", 1);
  QueueEntry failing = entry("failing", 2);  // A pusher failed twice (any Databus).
  failing.processor_statuses[0].status = StepStatus::complete;
  failing.pusher_statuses[0].attempts = 2;
  failing.pusher_statuses[0].last_error = "HTTP 503";
  // Quarantined, as steps of the compact form written by a newer Databus
  // carry it (the flag columns of schema 6 know nothing of it).
  QueueEntry held = entry("held", 3);
  held.processor_statuses[0].attempts = 20;
  held.processor_statuses[0].last_error = "refused";
  held.processor_statuses[0].quarantined = true;
  QueueEntry done = entry("done", 4);
  done.complete_all_steps();
  {
    PgPool pool(PgSettings::from_arguments(arguments), 1);
    migrate_pg_schema(pool, 6);
    pool.acquire()->run_script(insert_v6(fresh) + insert_v6(failing) + insert_v6(held) +
                               insert_v6(done));
  }

  auto db = open_postgresql_database({"", arguments});
  for (const QueueEntry* e : {&fresh, &failing, &held, &done}) {
    EXPECT_EQ(db->load_entry("demo", e->passenger.internal_id), *e);
  }
  EntryQuery q;
  q.filter = EntryFilter::failing;
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"failing"});
  q.filter = EntryFilter::quarantined;
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"held"});
  q.filter = EntryFilter::processing_due;
  q.due_by = Clock::now();
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"fresh"});
  q.filter = EntryFilter::push_due;
  EXPECT_EQ(ids(db->query_entries("demo", q)), std::vector<std::string>{"failing"});
  PgConnection raw(PgSettings::from_arguments(arguments));
  EXPECT_EQ(raw.run("SELECT version::text FROM schema_version").text(0, 0),
            std::to_string(kPgSchemaVersion));
  const PgResult r = raw.run(
      "SELECT external_id, coalesce(due_at::text, 'NULL'), failing::text, quarantined::text FROM "
      "entries "
      "ORDER BY pull_time");
  std::vector<std::string> columns;
  for (int i = 0; i < r.rows(); ++i) {
    columns.push_back(r.text(i, 0) + "|" + r.text(i, 1) + "|" + r.text(i, 2) + "|" + r.text(i, 3));
  }
  EXPECT_EQ(columns, (std::vector<std::string>{"fresh|0|0|0", "failing|0|1|0", "held|NULL|0|1",
                                               "done|NULL|0|0"}));

  // The migrated rows take status writes like new ones: a retry by hand.
  held.processor_statuses[0].reset_failures();
  db->update_entries("demo", std::span(&held, 1), SaveScope::statuses);
  q.filter = EntryFilter::processing_due;
  EXPECT_EQ(ids(db->query_entries("demo", q)), (std::vector<std::string>{"fresh", "held"}));
}

}  // namespace
}  // namespace databus
