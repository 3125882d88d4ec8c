// `databus bench`: runs workload W1, W2 or W3 (src/bench/workload.h) on a
// fresh temporary store of the chosen engine and prints one result line;
// with --floor, W1 interleaved with the engine's floor and the memory
// engine (src/bench/floor_comparison.h); `--workload inbox`, the webhook
// inbox under HTTP load (src/bench/inbox_workload.h).

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/floor_comparison.h"
#include "bench/inbox_workload.h"
#include "bench/progress_bar.h"
#include "bench/workload.h"
#include "cli/commands.h"
#include "cli/options.h"

namespace databus::cli {
namespace {

struct BenchOptions {
  bench::WorkloadOptions workload;
  std::vector<std::string> database_args;
  bool floor = false;
  std::size_t runs = 3;
  std::size_t senders = 16;
  std::size_t requests = 0;
  double seconds = 10;
};

int bench_floor(const bench::WorkloadOptions& workload, std::size_t runs) {
  const bench::FloorComparison c = bench::run_floor_comparison(
      workload, runs, [](const std::string& line) { std::cout << line << std::endl; });
  std::cout << c.line() << std::endl;
  if (!c.all_complete()) {
    std::cerr << "databus bench: a run or a floor did not complete every passenger (see the "
                 "complete= of each line)"
              << std::endl;
    for (const auto* runs : {&c.runs, &c.memory}) {
      for (const bench::WorkloadResult& r : *runs) {
        if (!r.first_error.empty()) {
          std::cerr << "databus bench: " << r.engine << ": first error: " << r.first_error
                    << std::endl;
        }
      }
    }
    return kExitFindings;
  }
  return kExitOk;
}

int bench_inbox(const BenchOptions& options) {
  bench::InboxOptions inbox;
  inbox.database = options.workload.database;
  inbox.database_arguments = options.workload.database_arguments;
  inbox.senders = options.senders;
  inbox.requests = options.requests;
  inbox.seconds = options.seconds;
  inbox.body_bytes = options.workload.attachment_bytes;
  const bench::InboxResult result = bench::run_inbox_workload(inbox);
  for (const std::string& line : result.lines()) std::cout << line << std::endl;
  if (!result.consistent()) {
    std::cerr << "databus bench: the inbox's answers and its store disagree: "
              << result.inbox.requests() << " requests, " << result.accepted << " answered 202, "
              << result.stored << " entries stored, " << result.missing
              << " accepted ids not stored" << std::endl;
    return kExitFindings;
  }
  return kExitOk;
}

int bench_run(BenchOptions& options) {
  bench::WorkloadOptions& workload = options.workload;
  workload.database_arguments = parse_database_arguments(options.database_args);
  try {
    if (workload.workload == "inbox") {
      if (options.floor) throw std::invalid_argument("--workload inbox measures its floor itself");
      return bench_inbox(options);
    }
    if (options.floor) return bench_floor(workload, options.runs);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  // A progress bar only for a person watching: never in pipes, files or CI logs.
  std::optional<bench::ProgressBar> bar;
  if (bench::stream_is_terminal(stderr) && bench::stream_is_terminal(stdout)) {
    bar.emplace(stderr, workload.passengers);
    workload.progress = [&bar](std::size_t seated, std::size_t pushed) {
      bar->update(seated, pushed);
    };
  }
  bench::WorkloadResult result;
  try {
    result = bench::run_workload(workload);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  bar.reset();  // Clears the bar's line before the result is printed.
  std::cout << result.line() << std::endl;
  if (!result.all_complete()) {
    std::cerr << "databus bench: " << (result.passengers - result.complete) << " of "
              << result.passengers << " passengers did not complete";
    if (!result.first_error.empty()) std::cerr << "; first error: " << result.first_error;
    std::cerr << std::endl;
    return kExitFindings;
  }
  return kExitOk;
}

}  // namespace

void add_bench_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<BenchOptions>();
  bench::WorkloadOptions& w = options->workload;
  CLI::App* command = app.add_subcommand(
      "bench",
      "Measure throughput: one timed drive of synthetic passengers (one text attachment each, "
      "processors and pushers that complete at once) on a fresh temporary store of ENGINE, "
      "removed afterwards. W1: an empty queue; W2: the queue already holds --preload completed "
      "entries; W3: it holds --preload entries waiting for a retry or quarantined. Prints "
      "`engine=E workload=W passengers=N seconds=S rate=R/s complete=C peak_rss_mb=M` (M: the peak "
      "resident memory of the timed drive, in MiB); a "
      "progress bar on stderr when run on a terminal.");
  command
      ->add_option("--database", w.database,
                   "Storage engine: any registered engine name (json_db, memory, sqlite, "
                   "postgresql, ...)")
      ->capture_default_str();
  command
      ->add_option("--database-arg", options->database_args,
                   "Engine argument, repeatable (SQL engines: connection data). The JSON DB "
                   "needs none. Default: none")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command
      ->add_option("--workload", w.workload,
                   "W1 (empty queue), W2 (with --preload complete entries), W3 (with --preload "
                   "entries waiting or quarantined) or inbox (the webhook inbox under HTTP load)")
      ->check(CLI::IsMember({"W1", "W2", "W3", "inbox"}))
      ->capture_default_str();
  command->add_option("--passengers", w.passengers, "Passengers the synthetic puller yields")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--attachment-bytes", w.attachment_bytes,
                   "Size of each passenger's text attachment")
      ->capture_default_str();
  command->add_option("--processors", w.processors, "Processors per passenger")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--pushers", w.pushers, "Pushers per passenger")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      ->add_option("--pusher", w.pusher,
                   "discard (pushers that complete at once) or directory (one directory pusher "
                   "writing each passenger's folder under the temporary directory)")
      ->check(CLI::IsMember({"discard", "directory"}))
      ->capture_default_str();
  command
      ->add_option("--preload", w.preload,
                   "W2: completed entries (within their life span), W3: entries whose pusher "
                   "failed (half waiting an hour for the next attempt, half quarantined), stored "
                   "before the timed drive, not timed")
      ->capture_default_str();
  command->add_flag("--floor", options->floor,
                    "W1 only: also measure the engine's floor (json_db, sqlite, postgresql) and "
                    "the memory engine's W1, interleaved, --runs times");
  command->add_option("--runs", options->runs, "With --floor: rounds of W1, floor and memory")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--senders", options->senders,
                   "--workload inbox: concurrent keep-alive connections sending requests")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--requests", options->requests,
                   "--workload inbox: requests per phase (healthz, inbox); 0: for --seconds")
      ->capture_default_str();
  command
      ->add_option("--seconds", options->seconds,
                   "--workload inbox: how long each phase lasts when --requests is 0")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->footer(exit_codes_footer(
      "not every passenger completed (the first error is shown), a floor left fewer complete "
      "entries, or the inbox's answers and its store disagree"));
  command->callback([options, exit_code] { *exit_code = bench_run(*options); });
}

}  // namespace databus::cli
