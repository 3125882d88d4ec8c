#include "bench/workload.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "bench/bench_client.h"
#include "bench/synthetic_components.h"
#include "bench/temporary_directory.h"
#include "databus/builtins.h"
#include "databus/dispatcher.h"

namespace databus::bench {
namespace {

// Preloaded entries are written in batches of this many: big enough that an
// engine's per-batch cost (a sync, a transaction) is paid rarely, small
// enough to keep memory flat.
constexpr std::size_t kPreloadBatch = 5000;

// Counts seated and fully pushed passengers for the progress callback.
class ProgressObserver : public DispatcherObserver {
 public:
  ProgressObserver(std::function<void(std::size_t, std::size_t)> report, int pushers)
      : report_(std::move(report)), pushers_(pushers > 0 ? pushers : 1) {}

  void passenger_seated(const std::string&, const QueueEntry&) override {
    ++seated_;
    report_(seated_, pushes_ / pushers_);
  }
  void passenger_pushed(const std::string&, const QueueEntry&, const std::string&) override {
    ++pushes_;
    report_(seated_, pushes_ / pushers_);
  }

 private:
  std::function<void(std::size_t, std::size_t)> report_;
  std::size_t pushers_;
  std::size_t seated_ = 0;
  std::size_t pushes_ = 0;
};

void check(const WorkloadOptions& o) {
  if (o.workload != "W1" && o.workload != "W2" && o.workload != "W3") {
    throw std::invalid_argument("--workload must be W1, W2 or W3, not '" + o.workload + "'");
  }
  if (o.workload == "W3" && o.pushers < 1) {
    throw std::invalid_argument("--workload W3 needs a pusher to wait for (--pushers 1 or more)");
  }
  if (o.workload == "W1" && o.preload > 0) {
    throw std::invalid_argument("--preload applies to workload W2 only");
  }
  if (o.passengers == 0) throw std::invalid_argument("--passengers must be at least 1");
  if (o.processors < 0) throw std::invalid_argument("--processors must not be negative");
  if (o.pushers < 0) throw std::invalid_argument("--pushers must not be negative");
  if (o.pusher != "discard" && o.pusher != "directory") {
    throw std::invalid_argument("--pusher must be discard or directory, not '" + o.pusher + "'");
  }
  if (o.pusher == "directory" && o.pushers > 1) {
    // A passenger type lists each module once.
    throw std::invalid_argument("--pusher directory takes at most one pusher (--pushers 1)");
  }
}

// Stores `count` entries, pulled now, straight through the engine: complete,
// or (`failed`) with their first pusher failed: every other one waiting for a
// next attempt an hour away, the rest quarantined.
void preload(Database& database, const std::string& client_id, const ClientPassenger& passenger,
             std::size_t count, std::size_t attachment_bytes, bool failed) {
  const TimePoint now = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  std::vector<QueueEntry> batch;
  batch.reserve(kPreloadBatch);
  for (std::size_t i = 0; i < count; ++i) {
    QueueEntry entry =
        synthetic_entry(passenger, kPreloadPrefix + std::to_string(i), i, attachment_bytes, now);
    entry.complete_all_steps();
    if (failed) {
      StepState& push = entry.pusher_statuses.front();
      push.status = StepStatus::incomplete;
      push.attempts = 1;
      push.last_error = "the target is down (bench)";
      push.next_attempt = now + std::chrono::hours(1);
      push.quarantined = i % 2 == 1;
    }
    batch.push_back(std::move(entry));
    if (batch.size() == kPreloadBatch || i + 1 == count) {
      database.insert_entries(client_id, batch);
      batch.clear();
    }
  }
}

// Resets the process's peak resident set size to its current one (Linux
// 4.0+: "5" to /proc/self/clear_refs); nothing where that is refused.
void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

// The process's peak resident set size (VmHWM), or 0 when unknown.
std::size_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // In kB.
  }
  return 0;
}

}  // namespace

std::string WorkloadResult::line() const {
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, "seconds=%.3f rate=%.0f/s", seconds, rate());
  char memory[48];
  std::snprintf(memory, sizeof memory, " peak_rss_mb=%.0f", peak_rss_mb);
  return "engine=" + engine + " workload=" + workload +
         " passengers=" + std::to_string(passengers) + " " + numbers +
         " complete=" + std::to_string(complete) + memory;
}

WorkloadResult run_workload(const WorkloadOptions& options) {
  check(options);
  auto source = std::make_shared<SyntheticSource>();
  source->passengers = options.passengers;
  source->attachment_bytes = options.attachment_bytes;
  std::shared_ptr<Registry> registry = builtin_registry();
  register_synthetic_components(*registry, source, options.processors, options.pushers);

  TemporaryDirectory temp;
  std::shared_ptr<ProgressObserver> observer;
  if (options.progress) {
    observer = std::make_shared<ProgressObserver>(options.progress, options.pushers);
  }
  DispatcherTicket ticket;
  ticket.registry = registry;
  ticket.database_module = options.database;
  ticket.database_arguments = options.database_arguments;
  // A name of its own per run: ext4 picks a top-level directory's place
  // from its name (place_like_top_level()).
  ticket.data_dir = temp.path() / fresh_name("store-");
  ticket.run_web_server = false;
  ticket.create_default_clients = false;
  ticket.workers = 1;
  ticket.dispatcher_observer = observer;
  Dispatcher dispatcher(std::move(ticket));
  Database& database = dispatcher.database();

  // A fresh client id: a fresh queue even in a store shared with others.
  // The random end of the id: its start is the time (version 7 UUIDs), the
  // same for runs a minute apart, whose client would then be the previous
  // run's, with its deleted rows still in a server engine's indexes.
  const std::string client_id = fresh_name("bench-");
  // The outbox too gets a name of its own per run, for the same reason as
  // the store: under the one name "outbox", ext4 placed every run's
  // passenger folders in the block groups the previous run had just freed,
  // and the pusher wrote ~1,000 folders/s instead of ~8,000/s
  // (docs/performance.md, "Directory pusher: the rate run after run").
  const std::filesystem::path outbox =
      options.pusher == "directory" ? temp.path() / fresh_name("outbox-") : std::filesystem::path();
  const ClientPassenger passenger =
      bench_client_passenger(options.processors, options.pushers, outbox);
  database.write_client_config_text(client_id, client_config_text(client_id, passenger));
  if (options.workload != "W1") {
    preload(database, client_id, passenger, options.preload, options.attachment_bytes,
            options.workload == "W3");
  }

  // The disk quiet first: what the set-up (a preload of 100,000 entries,
  // or a previous run's deleted store) left for the kernel to write back
  // would otherwise compete with the drive's syncs (a PostgreSQL W2 drive
  // waited 44 ms for one commit behind the preload's data files).
  ::sync();

  // The timed drive runs on a thread of its own, as drives run on the
  // dispatcher's worker threads in `databus run`: memory a thread allocates
  // is its own, and the main thread's dates from before main() set up the
  // program's allocator (cli/main.cc).
  reset_peak_rss();
  std::chrono::steady_clock::time_point start, end;
  std::optional<Log> drove;
  std::exception_ptr failure;
  std::thread driver([&] {
    try {
      start = std::chrono::steady_clock::now();
      drove.emplace(dispatcher.drive_now(client_id, passenger.name));
      end = std::chrono::steady_clock::now();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  driver.join();
  if (failure) std::rethrow_exception(failure);
  const Log& log = *drove;

  WorkloadResult result;
  result.engine = options.database;
  result.client_id = client_id;
  result.outbox = outbox;
  result.workload = options.workload;
  result.passengers = options.passengers;
  result.seconds = std::chrono::duration<double>(end - start).count();
  result.peak_rss_mb = static_cast<double>(peak_rss_bytes()) / (1024 * 1024);
  EntryQuery pulled;
  pulled.passenger_module = passenger.name;
  pulled.filter = EntryFilter::complete;
  pulled.search = kPulledPrefix;
  result.complete = database.count_entries(client_id, pulled);
  if (options.preload > 0) {
    pulled.search = kPreloadPrefix;
    result.preload_complete = database.count_entries(client_id, pulled);
  }
  for (const LogEntry& entry : log.entries()) {
    if (entry.type == LogType::error) {
      result.first_error = entry.message;
      break;
    }
  }

  const bool store_in_temp = (options.database == "json_db" || options.database == "memory") &&
                             options.database_arguments.empty();
  if (!store_in_temp) {
    // The store may live outside the temporary directory: leave nothing behind.
    if (options.workload == "W3") {
      // Only complete entries are ever deleted: complete W3's first.
      EntryQuery open;
      open.passenger_module = passenger.name;
      open.filter = EntryFilter::incomplete;
      open.with_attachments = false;
      open.limit = kPreloadBatch;
      for (std::vector<QueueEntry> batch = database.query_entries(client_id, open); !batch.empty();
           batch = database.query_entries(client_id, open)) {
        for (QueueEntry& e : batch) {
          e.complete_all_steps();
          e.puller_notified = true;
        }
        database.update_entries(client_id, batch, SaveScope::statuses);
      }
    }
    const TimePoint later = Clock::now() + days(1);
    database.delete_complete_entries(client_id, passenger.name, later);
    database.delete_logs_before(client_id, later);
  }
  return result;
}

}  // namespace databus::bench
