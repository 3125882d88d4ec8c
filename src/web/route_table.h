// RouteTable: registers the API's routes on an httplib server and keeps
// their methods and patterns, so that a test can hold them against
// docs/openapi.yaml (every route described, every described path answered).
#pragma once

#include <string>
#include <vector>

#include "web/http.h"

namespace databus::web {

struct WebState;

// One registered route: "GET" or "POST" and httplib's regular expression,
// e.g. "/api/v1/clients/([^/]+)/queue".
struct Route {
  std::string method;
  std::string pattern;
};

class RouteTable {
 public:
  explicit RouteTable(httplib::Server& server) : server_(server) {}

  // As httplib::Server's, also recording the route.
  RouteTable& Get(const std::string& pattern, httplib::Server::Handler handler) {
    routes_.push_back({"GET", pattern});
    server_.Get(pattern, std::move(handler));
    return *this;
  }
  RouteTable& Post(const std::string& pattern, httplib::Server::Handler handler) {
    routes_.push_back({"POST", pattern});
    server_.Post(pattern, std::move(handler));
    return *this;
  }

  const std::vector<Route>& routes() const { return routes_; }

 private:
  httplib::Server& server_;
  std::vector<Route> routes_;
};

// Every route under /api/v1 the web server registers, in registration order
// (registered on a scratch server that never listens; `state` is only
// captured by the handlers, never used).
std::vector<Route> api_routes(WebState& state);

}  // namespace databus::web
