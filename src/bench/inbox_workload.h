// The inbox workload of `databus bench --workload inbox` (issue 22): the web
// interface's webhook inbox (POST /api/v1/inbox/<client>/<passenger>,
// docs/api.md) under load from `senders` keep-alive connections
// (http_load.h), on a fresh store of the chosen engine (fresh_store.h), the
// server on a free loopback port.
//
// Per run, on one server:
//   healthz  GET /healthz with the same senders, count or duration: what the
//            HTTP server answers with no storage behind it;
//   inbox    POST of a JSON body of `body_bytes` bytes per request, each
//            with a new external id (X-External-Id), so that each is seated;
//   check    every request answered 202 is in the store exactly once, and the
//            store holds nothing else;
//   floor    the engine's floor (floor.h) for as many entries as were
//            accepted, where the engine has one.
// The dispatcher is not started: no drive competes with the seats, so the
// inbox's rate is that of its own path (HTTP, the lane, one durable seat per
// request).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bench/floor.h"
#include "bench/http_load.h"
#include "databus/database.h"

namespace databus::bench {

struct InboxOptions {
  std::string database = "json_db";  // Any registered engine.
  DatabaseArguments database_arguments;
  std::size_t senders = 16;
  // Requests per phase; 0: each phase lasts `seconds`.
  std::size_t requests = 0;
  double seconds = 10;
  std::size_t body_bytes = 1024;
  // Measure the engine's floor as well (engines with one, has_floor()).
  bool floor = true;
};

struct InboxResult {
  std::string engine;
  LoadResult healthz;
  LoadResult inbox;
  std::size_t accepted = 0;  // Inbox requests answered 202.
  std::size_t stored = 0;    // Entries of the inbox's client passenger afterwards.
  std::size_t missing = 0;   // Accepted external ids not found in the store.
  std::optional<FloorResult> floor;

  // Every accepted id stored once, nothing else stored, every request
  // answered 202.
  bool consistent() const {
    return missing == 0 && stored == accepted && accepted == inbox.count(202) &&
           accepted == inbox.requests();
  }
  // One key=value line each: the healthz phase, the inbox phase (with
  // accepted, stored, missing), the floor, and the inbox's rate as ratios
  // to healthz's and the floor's.
  std::vector<std::string> lines() const;
};

// Throws std::invalid_argument naming the option for bad options (no
// senders, neither requests nor seconds, a body under 64 bytes), and what
// the engine or the server throws when they cannot be opened or started.
InboxResult run_inbox_workload(const InboxOptions& options);

}  // namespace databus::bench
