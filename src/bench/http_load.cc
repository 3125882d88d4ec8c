#include "bench/http_load.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "web/http.h"

namespace databus::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct SenderLog {
  std::vector<std::pair<std::size_t, int>> outcomes;
  std::vector<double> latencies_ms;
};

void send_all(const LoadOptions& o, std::atomic<std::size_t>& next, SteadyClock::time_point end,
              SenderLog& log) {
  httplib::Client client(o.host, o.port);
  client.set_keep_alive(true);
  // As curl and wrk do: cpp-httplib writes a POST's headers and body
  // apart, and with Nagle's algorithm the body then waited for the
  // server's delayed ACK, 40 ms per request whatever the server did.
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(60));
  client.set_write_timeout(std::chrono::seconds(60));
  for (;;) {
    if (o.requests == 0 && SteadyClock::now() >= end) return;
    const std::size_t sequence = next.fetch_add(1);
    if (o.requests > 0 && sequence >= o.requests) return;
    const LoadRequest r = o.request(sequence);
    const httplib::Headers headers(r.headers.begin(), r.headers.end());
    const auto sent = SteadyClock::now();
    const httplib::Result res = r.body.empty() && r.content_type.empty()
                                    ? client.Get(r.path, headers)
                                    : client.Post(r.path, headers, r.body, r.content_type);
    log.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(SteadyClock::now() - sent).count());
    log.outcomes.emplace_back(sequence, res ? res->status : -1);
  }
}

}  // namespace

std::size_t LoadResult::count(int status) const {
  return static_cast<std::size_t>(std::count_if(
      outcomes.begin(), outcomes.end(), [status](const auto& o) { return o.second == status; }));
}

double quantile_of(std::vector<double>& values, double quantile) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(quantile * values.size()));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

LoadResult run_load(const LoadOptions& options) {
  if (options.senders == 0) throw std::invalid_argument("--senders must be at least 1");
  if (!options.request) throw std::invalid_argument("the load has no request to send");
  if (options.requests == 0 && options.duration <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("the load needs a request count or a duration");
  }
  std::atomic<std::size_t> next{0};
  std::vector<SenderLog> logs(options.senders);
  std::vector<std::thread> senders;
  const auto start = SteadyClock::now();
  const auto end = start + options.duration;
  for (SenderLog& log : logs) {
    senders.emplace_back([&options, &next, end, &log] { send_all(options, next, end, log); });
  }
  for (std::thread& s : senders) s.join();

  LoadResult result;
  result.senders = options.senders;
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::vector<double> latencies;
  for (SenderLog& log : logs) {
    result.outcomes.insert(result.outcomes.end(), log.outcomes.begin(), log.outcomes.end());
    latencies.insert(latencies.end(), log.latencies_ms.begin(), log.latencies_ms.end());
  }
  std::sort(result.outcomes.begin(), result.outcomes.end());
  result.p50_ms = quantile_of(latencies, 0.50);
  result.p99_ms = quantile_of(latencies, 0.99);
  return result;
}

}  // namespace databus::bench
