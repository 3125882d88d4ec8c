// The HTTP load generator of `databus bench --workload inbox`: `senders`
// threads, each with one keep-alive connection (cpp-httplib's client, which
// reconnects when the server closes a connection after its
// max_requests_per_connection), without Nagle's delay (TCP_NODELAY, as curl
// and wrk), sending requests one after the other for a fixed count or
// duration. Our own rather than wrk: every request's answer
// is kept, so the bench can check afterwards that each request answered 202
// was stored exactly once, and it runs in the bench's process with no tool to
// install (docs/performance.md, "Floors and the inbox under load").
//
// Latency is measured from before a request is sent to after its answer is
// read; a closed-loop generator does not send while it waits, so the
// figures are those of a server serving `senders` clients at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace databus::bench {

// One request. `body` empty and `content_type` empty: a GET.
struct LoadRequest {
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;
};

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::size_t senders = 16;
  // Requests in all; 0: as many as `duration` allows.
  std::size_t requests = 0;
  std::chrono::milliseconds duration{10000};
  // The request numbered `sequence` (0, 1, ... across all senders). Called
  // from the sender threads, several at once.
  std::function<LoadRequest(std::size_t sequence)> request;
};

struct LoadResult {
  std::size_t senders = 0;
  double seconds = 0;  // From the first request sent to the last answer read.
  // (sequence, HTTP status or -1 when no answer came), in sequence order.
  std::vector<std::pair<std::size_t, int>> outcomes;
  double p50_ms = 0;
  double p99_ms = 0;

  std::size_t requests() const { return outcomes.size(); }
  double rate() const { return seconds > 0 ? outcomes.size() / seconds : 0; }
  // Requests answered with `status`.
  std::size_t count(int status) const;
};

// Runs the load. Throws std::invalid_argument for no senders, no request
// maker, or neither a count nor a duration.
LoadResult run_load(const LoadOptions& options);

// The value at `quantile` (0..1] of `values` (sorted here), nearest rank; 0
// when empty.
double quantile_of(std::vector<double>& values, double quantile);

}  // namespace databus::bench
