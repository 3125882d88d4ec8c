// `databus bench`: runs workload W1 or W2 (src/bench/workload.h) on a fresh
// temporary store of the chosen engine and prints one result line.

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/progress_bar.h"
#include "bench/workload.h"
#include "cli/commands.h"
#include "cli/options.h"

namespace databus::cli {
namespace {

struct BenchOptions {
  bench::WorkloadOptions workload;
  std::vector<std::string> database_args;
};

int bench_run(BenchOptions& options) {
  bench::WorkloadOptions& workload = options.workload;
  workload.database_arguments = parse_database_arguments(options.database_args);
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
                   "W1 (empty queue), W2 (with --preload complete entries) or W3 (with --preload "
                   "entries waiting or quarantined)")
      ->check(CLI::IsMember({"W1", "W2", "W3"}))
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
  command->footer(exit_codes_footer("not every passenger completed (the first error is shown)"));
  command->callback([options, exit_code] { *exit_code = bench_run(*options); });
}

}  // namespace databus::cli
