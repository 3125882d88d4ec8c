// The SQL puller and pusher against a real database through its ODBC driver
// (docs/performance.md, "SQL connectors"): rows pulled per second (one
// pull() of 10,000 rows and the notify() that keeps the tracked value) and
// passengers pushed per second (one upsert transaction each). The database
// is named by DATABUS_BENCH_ODBC, a connection string (e.g.
// "Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=5432;Database=postgres;
// Uid=databus;Pwd=..."); without it both benchmarks are skipped. They
// create and drop the tables bench_sql_source and bench_sql_target.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "components/sql/odbc.h"
#include "components/sql/sql_puller.h"
#include "components/sql/sql_pusher.h"
#include "storage/memory/memory_database.h"

namespace databus {
namespace {

constexpr int kRows = 10000;

const char* connection() { return std::getenv("DATABUS_BENCH_ODBC"); }

std::unique_ptr<odbc::Connection> connect() {
  return std::make_unique<odbc::Connection>(connection(), std::vector<std::string>{},
                                            std::chrono::seconds(30));
}

ComponentEnv env_of(nlohmann::json settings) {
  settings["connection"] = connection();
  return ComponentEnv{"bench", "databus.passenger.generic.bench", "", std::move(settings), {}};
}

void BM_SqlPullerRows(benchmark::State& state) {
  if (connection() == nullptr) {
    state.SkipWithError("DATABUS_BENCH_ODBC is not set");
    return;
  }
  auto c = connect();
  c->execute("DROP TABLE IF EXISTS bench_sql_source", {});
  c->execute(
      "CREATE TABLE bench_sql_source (id integer PRIMARY KEY, customer varchar(100), "
      "amount double precision, note varchar(1024))",
      {});
  c->begin();
  for (int at = 1; at <= kRows; at += 500) {
    std::string sql = "INSERT INTO bench_sql_source VALUES ";
    for (int id = at; id < at + 500; ++id) {
      sql += (id == at ? "(" : ", (") + std::to_string(id) + ", 'customer " + std::to_string(id) +
             "', " + std::to_string(id) + ".25, '" + std::string(200, 'n') + "')";
    }
    c->execute(sql, {});
  }
  c->commit();
  ClientPassenger passenger;
  passenger.name = "databus.passenger.generic.bench";
  for (auto _ : state) {
    MemoryDatabase store;  // Fresh: every iteration reads all rows.
    Log log;
    DriveContext ctx("bench", passenger, log, [] { return Passenger{}; });
    ctx.set_state_store(&store);
    SqlPuller puller(env_of({{"query", "SELECT * FROM bench_sql_source WHERE id > ? ORDER BY id"},
                             {"tracking_column", "id"},
                             {"external_id_column", "id"},
                             {"max_rows", kRows}}));
    std::vector<Passenger> rows = puller.pull(ctx);
    puller.notify(ctx, rows);
    if (rows.size() != static_cast<std::size_t>(kRows)) state.SkipWithError("rows missing");
    benchmark::DoNotOptimize(rows.data());
  }
  state.SetItemsProcessed(state.iterations() * kRows);
  c->execute("DROP TABLE bench_sql_source", {});
}
BENCHMARK(BM_SqlPullerRows)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SqlPusherPassengers(benchmark::State& state) {
  if (connection() == nullptr) {
    state.SkipWithError("DATABUS_BENCH_ODBC is not set");
    return;
  }
  auto c = connect();
  c->execute("DROP TABLE IF EXISTS bench_sql_target", {});
  c->execute(
      "CREATE TABLE bench_sql_target (id varchar(64) PRIMARY KEY, customer varchar(100), "
      "amount double precision, internal_id varchar(64))",
      {});
  ClientPassenger passenger;
  passenger.name = "databus.passenger.generic.bench";
  constexpr int kPassengers = 2000;
  std::vector<QueueEntry> entries;
  for (int i = 0; i < kPassengers; ++i) {
    Passenger p;
    p.external_id = "E" + std::to_string(i);
    p.internal_id = "0f8fad5b-d9cb-469f-a165-" + std::to_string(100000000000 + i);
    p.add_attachment(
        "order.json", AttachmentFormat::text,
        nlohmann::json{{"customer", "customer " + std::to_string(i)}, {"amount", i}}.dump());
    entries.push_back(QueueEntry::seat(std::move(p), {}, {kSqlPusherModule}));
  }
  for (auto _ : state) {
    Log log;
    DriveContext ctx("bench", passenger, log, [] { return Passenger{}; });
    SqlPusher pusher(env_of({{"table", "bench_sql_target"},
                             {"columns",
                              {{"id", "$external_id"},
                               {"customer", "/customer"},
                               {"amount", "/amount"},
                               {"internal_id", "$internal_id"}}},
                             {"key", {"id"}}}));
    for (QueueEntry& e : entries) pusher.push(ctx, e);
    pusher.flush(ctx);
  }
  state.SetItemsProcessed(state.iterations() * kPassengers);
  c->execute("DROP TABLE bench_sql_target", {});
}
BENCHMARK(BM_SqlPusherPassengers)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace databus
