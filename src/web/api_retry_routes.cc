// The REST API's retry endpoints (docs/api.md "Retry"): a person makes
// failed or quarantined steps due again. Operators may, as administrators
// (Access::operate).

#include "web/api_support.h"
#include "web/routes.h"
#include "web/service.h"

namespace databus::web {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

void add_retry_api_routes(RouteTable& server, WebState& s) {
  const std::string c = R"(/api/v1/clients/([^/]+))";
  // One entry: every failed step, or with "step" and "module" that step.
  server.Post(c + "/queue/([^/]+)/retry", api(s, [&s](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const Principal who = api_principal(s, req, res, client, Access::operate);
                const json j = body(req);
                const std::string step = optional_string_field(j, "step");
                if (step.empty()) {
                  if (j.contains("module"))
                    throw HttpError(400, "field \"module\" needs field \"step\"");
                  send_json(res, service::retry_entry(s, client, req.matches[2], who));
                  return;
                }
                send_json(res, service::retry_step(s, client, req.matches[2], step,
                                                   string_field(j, "module"), who));
              }));
  // Every quarantined entry of a passenger type, optionally narrowed.
  server.Post(c + "/queue/retry-quarantined", api(s, [&s](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const Principal who = api_principal(s, req, res, client, Access::operate);
                const json j = body(req);
                service::BulkRetry bulk;
                bulk.passenger = string_field(j, "passenger");
                bulk.module = optional_string_field(j, "module");
                bulk.error_contains = optional_string_field(j, "error_contains");
                send_json(res, service::retry_quarantined(s, client, bulk, who));
              }));
}

}  // namespace databus::web
