// Queue queries: what the driver and the dispatcher ask of an engine on
// every drive (entries awaiting processing, the dedup lookup, the purge of
// completed entries), against the in-memory EntryIndex the JSON DB and the
// in-memory engine share, and against a JSON DB on disk. The queue holds N
// complete entries and 100 incomplete ones: a drive must cost the same
// whatever N is (issue 5, W2).
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "databus/database.h"
#include "databus/uuid.h"
#include "storage/entry_index.h"
#include "storage/json_db/json_database.h"

namespace databus {
namespace {

constexpr char kType[] = "bench.passenger";
constexpr int kIncomplete = 100;

QueueEntry make_entry(int i, bool complete) {
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = "E" + std::to_string(i);
  p.source_system = "SRC";
  p.passenger_module = kType;
  p.puller_module = "bench.puller";
  p.pull_datetime = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  QueueEntry e = QueueEntry::seat(std::move(p), {"bench.processor"}, {"bench.pusher"});
  if (complete) {
    e.puller_notified = true;
    e.complete_all_steps();
  }
  return e;
}

EntryIndex make_index(int complete) {
  EntryIndex index;
  for (int i = 0; i < complete + kIncomplete; ++i) {
    index.put(EntrySummary::of(make_entry(i, i >= kIncomplete)));
  }
  return index;
}

void BM_IndexSelectProcessingDue(benchmark::State& state) {
  const EntryIndex index = make_index(static_cast<int>(state.range(0)));
  EntryQuery query;
  query.passenger_module = kType;
  query.filter = EntryFilter::processing_due;
  for (auto _ : state) benchmark::DoNotOptimize(index.select(query));
}
BENCHMARK(BM_IndexSelectProcessingDue)->Arg(1000)->Arg(100000);

void BM_IndexFindKey(benchmark::State& state) {
  const EntryIndex index = make_index(static_cast<int>(state.range(0)));
  int i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.find_key(kType, "SRC", "E" + std::to_string(i++ % 1000)));
  }
}
BENCHMARK(BM_IndexFindKey)->Arg(1000)->Arg(100000);

// The purge after every drive: complete entries pulled before a day ago
// (none here, as in W2).
void BM_IndexCompleteBefore(benchmark::State& state) {
  const EntryIndex index = make_index(static_cast<int>(state.range(0)));
  const TimePoint day_ago = Clock::now() - std::chrono::hours(24);
  for (auto _ : state) benchmark::DoNotOptimize(index.complete_before(kType, day_ago));
}
BENCHMARK(BM_IndexCompleteBefore)->Arg(1000)->Arg(100000);

// A JSON DB in a temporary directory holding N complete entries and 100
// incomplete ones; removed at exit.
class JsonDbFixture : public benchmark::Fixture {
 public:
  void SetUp(const benchmark::State& state) override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "databus-querybench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    db_ = open_json_database(DatabaseEnv{dir_, {}});
    std::vector<QueueEntry> batch;
    const int complete = static_cast<int>(state.range(0));
    for (int i = 0; i < complete + kIncomplete; ++i) {
      batch.push_back(make_entry(i, i >= kIncomplete));
      if (batch.size() == 2000) {
        db_->insert_entries("bench", batch);
        batch.clear();
      }
    }
    db_->insert_entries("bench", batch);
  }
  void TearDown(const benchmark::State&) override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

 protected:
  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

BENCHMARK_DEFINE_F(JsonDbFixture, QueryProcessingDue)(benchmark::State& state) {
  EntryQuery query;
  query.passenger_module = kType;
  query.filter = EntryFilter::processing_due;
  for (auto _ : state) benchmark::DoNotOptimize(db_->query_entries("bench", query));
  state.SetItemsProcessed(state.iterations() * kIncomplete);
}
BENCHMARK_REGISTER_F(JsonDbFixture, QueryProcessingDue)->Arg(0)->Arg(10000)->Iterations(50);

}  // namespace
}  // namespace databus
