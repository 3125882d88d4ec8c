// GET /api/v1/health (docs/api.md "Puller health"): how the pullers of every
// client the caller may see are doing, with a summary to alert on. /readyz
// stays about this node and its engine (api_routes.cc).

#include "web/api_support.h"
#include "web/routes.h"
#include "web/service.h"

namespace databus::web {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

void add_health_api_routes(RouteTable& server, WebState& s) {
  // Without `client`: every client the caller may see (visible_clients():
  // users of root see all). With it: that client, under the rules of its
  // other routes (authorize(): a client without users answers anyone).
  server.Get("/api/v1/health", api(s, [&s](const Request& req, Response& res) {
               std::vector<std::string> clients;
               if (req.has_param("client")) {
                 const std::string client = req.get_param_value("client");
                 api_principal(s, req, res, client, Access::read);
                 clients.push_back(client);
               } else {
                 const std::optional<Principal> who = identify(s, req);
                 if (!who) {
                   if (req.get_header_value("Authorization").starts_with("Bearer "))
                     throw HttpError(401, "invalid bearer token");
                   throw HttpError(401, "login required");
                 }
                 clients = visible_clients(s, *who);
               }
               send_json(res, service::health(s, clients, Clock::now()));
             }));
}

}  // namespace databus::web
