// The workloads of `databus bench` (issue 5), runnable from the CLI and from
// tests. A workload runs on a fresh temporary store of the chosen engine:
//
//   W1  one client, one passenger type, the synthetic puller yielding N
//       passengers with one text attachment of B bytes each, P processors and
//       Q pushers that complete (or one directory pusher); one drive, timed from its start until
//       every entry is complete and durable (Dispatcher::drive_now returns only then: the engines
//       are durable on return, the log is stored).
//   W2  the same after M completed entries, within their life span, were
//       written straight into the store (untimed, through
//       Database::insert_entries in big batches).
//   W3  the same after M incomplete entries were written straight into the
//       store: half waiting for their next attempt (a pusher failed, due in
//       an hour), half quarantined. What waiting costs a drive (issue 15): a
//       drive reads only due entries, so W3 should cost what W1 costs.
//
// The timed drive is a real dispatcher drive: the primal driver and queue,
// the drive's log written, the purges after the drive.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "databus/database.h"

namespace databus::bench {

struct WorkloadOptions {
  // Registry name of an engine of builtin_registry(): json_db, memory, and
  // sqlite or postgresql once they are registered there.
  std::string database = "json_db";
  DatabaseArguments database_arguments;
  std::string workload = "W1";  // "W1", "W2" or "W3".
  std::size_t passengers = 10000;
  std::size_t attachment_bytes = 1024;
  int processors = 1;
  int pushers = 1;
  // What the pushers are: "discard" (synthetic, complete at once) or
  // "directory" (one directory pusher writing every passenger's folder under
  // the run's temporary directory, on its file system; pushers must be 0
  // or 1).
  std::string pusher = "discard";
  // W2, W3: entries stored before the drive (complete for W2; waiting or
  // quarantined for W3).
  std::size_t preload = 0;
  // Called with (seated, fully pushed) counts as the drive goes on; may be
  // empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

struct WorkloadResult {
  std::string engine;
  std::string workload;
  std::size_t passengers = 0;
  double seconds = 0;        // The timed drive.
  std::size_t complete = 0;  // Pulled passengers whose entry is complete.
  // Preloaded entries (W2, W3) complete after the drive: all for W2, none
  // for W3 (the drive must leave waiting and quarantined entries alone).
  std::size_t preload_complete = 0;
  std::string first_error;  // The first error of the drive's log, if any.
  std::string client_id;    // The run's own client, "bench-" and 12 random hex digits.
  // The folder the directory pusher wrote below (removed with the run's
  // temporary directory), "outbox-" and 12 random hex digits; empty for
  // the synthetic pushers.
  std::filesystem::path outbox;

  // The process's peak resident memory during the timed drive (its peak
  // from the drive's start: the set-up's peak is reset first), in MiB; 0
  // where Linux's /proc does not tell.
  double peak_rss_mb = 0;

  double rate() const { return seconds > 0 ? passengers / seconds : 0; }
  bool all_complete() const { return complete == passengers; }
  // "engine=E workload=W passengers=N seconds=S rate=R/s complete=C
  // peak_rss_mb=M".
  std::string line() const;
};

// Runs the workload on a fresh store: the JSON DB (and any engine keeping its
// data under the data directory) in a new temporary directory, removed on
// every path; the bench client gets a fresh random id, so an engine whose
// store lives elsewhere (PostgreSQL) starts with an empty queue too, and its
// entries and logs are deleted afterwards.
// Throws std::invalid_argument naming the option for bad options (unknown
// workload or pusher, --preload with W1, W3 without a pusher, a negative processor or pusher count,
// no passengers), UnknownModuleError / ConfigError / StorageError when the engine cannot be opened.
WorkloadResult run_workload(const WorkloadOptions& options);

}  // namespace databus::bench
