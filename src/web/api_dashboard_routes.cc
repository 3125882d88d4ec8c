// The dashboard's data (docs/api.md "Dashboard"): GET
// /api/v1/clients/{client}/dashboard and the live tail GET
// /api/v1/clients/{client}/tail?after=N. Readable by operators and
// administrators of the client (and root).

#include "web/api_support.h"
#include "web/routes.h"
#include "web/service.h"

namespace databus::web {

using httplib::Request;
using httplib::Response;

void add_dashboard_api_routes(RouteTable& server, WebState& s) {
  const std::string c = "/api/v1/clients/([^/]+)";
  server.Get(c + "/dashboard", api(s, [&s](const Request& req, Response& res) {
               api_principal(s, req, res, req.matches[1], Access::read);
               send_json(res, service::dashboard(s, req.matches[1], Clock::now()));
             }));
  server.Get(c + "/tail", api(s, [&s](const Request& req, Response& res) {
               api_principal(s, req, res, req.matches[1], Access::read);
               send_json(res, service::tail(s, req.matches[1], number_param(req, "after", 0)));
             }));
}

}  // namespace databus::web
