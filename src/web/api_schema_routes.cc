// GET /api/v1/schema and GET /api/v1/components (docs/api.md, "Components
// and schema"): the JSON Schema of config.json and the component catalog,
// both from the registry's specs (catalog.h), as `databus schema` and
// `databus components --json` print them. The customizing editor of
// __databus__ loads the schema. Also api_routes() (route_table.h).

#include "databus/catalog.h"
#include "web/api_support.h"
#include "web/inbox.h"
#include "web/routes.h"

namespace databus::web {

using httplib::Request;
using httplib::Response;

void add_schema_api_routes(RouteTable& server, WebState& s) {
  // Any logged-in user: the catalog names modules and settings, never a
  // client's values. Plugin paths are the operator's, shown to root only.
  const auto catalog_route = [&s](bool schema) {
    return api(s, [&s, schema](const Request& req, Response& res) {
      const std::optional<Principal> who = identify(s, req);
      if (!who) throw HttpError(401, "login required");
      const Registry& registry = *s.dispatcher.ticket().registry;
      if (schema) {
        send_json(res, client_config_schema(registry));
        return;
      }
      nlohmann::json catalog = component_catalog(registry);
      if (!who->root()) {
        for (auto& kind : catalog.items()) {
          for (auto& c : kind.value()) {
            if (!c["plugin"].get<std::string>().empty()) c["plugin"] = "(a plugin)";
          }
        }
      }
      send_json(res, catalog);
    });
  };
  server.Get("/api/v1/schema", catalog_route(true));
  server.Get("/api/v1/components", catalog_route(false));
}

std::vector<Route> api_routes(WebState& state) {
  httplib::Server scratch;
  RouteTable table(scratch);
  add_api_routes(table, state);
  add_inbox_routes(table, state);
  return table.routes();
}

}  // namespace databus::web
