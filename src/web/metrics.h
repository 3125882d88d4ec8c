// GET /metrics (docs/operations.md "Monitoring"): this node's metrics in the
// Prometheus text format. Labels name configuration only (client, passenger
// type, module, route), never a passenger, so their number is bounded.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "web/http.h"

namespace databus::web {

struct WebState;

// Requests answered by the web server, by route pattern, method and status.
// Thread-safety: record() and snapshot() from any thread.
class HttpRequestCounts {
 public:
  // (route, method, status)
  using Key = std::tuple<std::string, std::string, int>;

  // Counts `req` answered with `status`. The route is the pattern of the
  // route that matched, its parameters written ":param"; requests that
  // matched none count as route "other", method "other", so that no
  // client-chosen text becomes a label.
  void record(const httplib::Request& req, int status);
  std::map<Key, std::uint64_t> snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<Key, std::uint64_t> counts_;
};

// The route label of a request: its path with each part that a route's
// pattern captured replaced by ":param", "other" when no route matched.
std::string route_label(const httplib::Request& req);

// The exposition: every family of the node, with the series of `only_client`
// or, without it, of every client. Node-wide families (build, process, HTTP
// requests) come with every client's view except HTTP requests, which only
// the unrestricted view has.
std::string render_metrics(WebState& state, const std::optional<std::string>& only_client);

// GET /metrics on the web interface: a bearer token of a user of root (every
// client) or of a user with the "metrics" right (its client); 401 otherwise.
void add_metrics_routes(httplib::Server& server, WebState& state);

// GET /metrics without authentication, every client: for the separate
// --metrics-address listener, which serves nothing else.
void add_open_metrics_route(httplib::Server& server, WebState& state);

}  // namespace databus::web
