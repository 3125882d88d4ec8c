#include "bench/workload.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

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

#include "bench/synthetic_components.h"
#include "databus/builtins.h"
#include "databus/dispatcher.h"
#include "databus/uuid.h"

namespace databus::bench {
namespace {

namespace stdfs = std::filesystem;

// Preloaded entries are written in batches of this many: big enough that an
// engine's per-batch cost (a sync, a transaction) is paid rarely, small
// enough to keep memory flat.
constexpr std::size_t kPreloadBatch = 5000;

// Asks the file system to place the directories made in `dir` as it places
// top-level ones (FS_TOPDIR_FL; ext2/3/4 spread them over block groups).
// Best effort: other file systems refuse or ignore the flag.
//
// Why: ext4 without a journal avoids reusing inodes freed in the last tens
// of seconds and scans past every one of them at each file it creates. A
// store made next to the tens of thousands of files a previous run (or a
// test suite) just deleted then creates files 30 times slower (JSON DB W1
// under 1,000/s instead of 7,000/s; docs/performance.md, "A file system
// that remembers deletions"), which measures the file system's past, not
// the engine.
void place_like_top_level(const stdfs::path& dir) {
#ifdef __linux__
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
    flags |= FS_TOPDIR_FL;
    ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  ::close(fd);
#endif
}

// A new, empty directory under the system's temporary directory, removed
// (with everything in it) when the object dies.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (stdfs::temp_directory_path() / "databus-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory under " +
                               stdfs::temp_directory_path().string());
    }
    path_ = pattern;
    place_like_top_level(path_);
  }
  ~TemporaryDirectory() {
    std::error_code ec;
    stdfs::remove_all(path_, ec);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const stdfs::path& path() const { return path_; }

 private:
  stdfs::path path_;
};

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

// With `outbox` set, the pushers are directory pushers writing below it.
ClientPassenger bench_client_passenger(int processors, int pushers,
                                       const std::filesystem::path& outbox = {}) {
  ClientPassenger p;
  p.name = kBenchPassenger;
  p.pullers = {ComponentRef{kBenchPuller}};
  for (int i = 1; i <= processors; ++i) p.processors.push_back(ComponentRef{bench_processor(i)});
  for (int i = 1; i <= pushers; ++i) {
    if (outbox.empty()) {
      p.pushers.push_back(ComponentRef{bench_pusher(i)});
    } else {
      p.pushers.push_back(ComponentRef{"databus.pusher.directory",
                                       {{"path", (outbox / std::to_string(i)).string()}}});
    }
  }
  return p;
}

std::string client_config_text(const std::string& id, const ClientPassenger& passenger) {
  ClientConfig config;
  config.id = id;
  config.log_life_span = 1;
  config.passengers = {passenger};
  return config.to_json().dump(2);
}

// Stores `count` entries, pulled now, straight through the engine: complete,
// or (`failed`) with their first pusher failed: every other one waiting for a
// next attempt an hour away, the rest quarantined.
void preload(Database& database, const std::string& client_id, const ClientPassenger& passenger,
             std::size_t count, std::size_t attachment_bytes, bool failed) {
  const std::vector<std::string> processors = passenger.processor_modules();
  const std::vector<std::string> pushers = passenger.pusher_modules();
  const TimePoint now = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  std::vector<QueueEntry> batch;
  batch.reserve(kPreloadBatch);
  for (std::size_t i = 0; i < count; ++i) {
    Passenger p;
    p.internal_id = new_uuid();
    p.external_id = kPreloadPrefix + std::to_string(i);
    p.source_system = kBenchSourceSystem;
    p.passenger_module = passenger.name;
    p.puller_module = kBenchPuller;
    p.pull_datetime = now;
    p.add_attachment("body.txt", AttachmentFormat::text, synthetic_text(i, attachment_bytes));
    QueueEntry entry = QueueEntry::seat(std::move(p), processors, pushers);
    entry.puller_notified = true;
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
  ticket.data_dir = temp.path() / ("store-" + new_uuid().substr(24));
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
  const std::string client_id = "bench-" + new_uuid().substr(24);
  // The outbox too gets a name of its own per run, for the same reason as
  // the store: under the one name "outbox", ext4 placed every run's
  // passenger folders in the block groups the previous run had just freed,
  // and the pusher wrote ~1,000 folders/s instead of ~8,000/s
  // (docs/performance.md, "Directory pusher: the rate run after run").
  const std::filesystem::path outbox = options.pusher == "directory"
                                           ? temp.path() / ("outbox-" + new_uuid().substr(24))
                                           : std::filesystem::path();
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
