// Route tables of the web server: the REST API (api_routes.cc) and the HTML
// pages (pages*.cc). Every handler authorises the request first (access.h).
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "databus/attachment.h"
#include "web/http.h"
#include "web/route_table.h"
#include "web/web_state.h"

namespace databus::web {

void add_api_routes(RouteTable& server, WebState& state);
// The retry endpoints (api_retry_routes.cc); add_api_routes() adds them.
void add_retry_api_routes(RouteTable& server, WebState& state);
// GET /api/v1/schema and /api/v1/components (api_schema_routes.cc);
// add_api_routes() adds them.
void add_schema_api_routes(RouteTable& server, WebState& state);
// GET /api/v1/health (api_health_routes.cc); add_api_routes() adds it.
void add_health_api_routes(RouteTable& server, WebState& state);
// The dashboard and live tail API (api_dashboard_routes.cc); add_api_routes()
// adds it.
void add_dashboard_api_routes(RouteTable& server, WebState& state);
void add_page_routes(httplib::Server& server, WebState& state);
void add_asset_routes(httplib::Server& server);
// /assets/config-editor.js (config_editor_asset.cc); add_asset_routes() adds it.
void add_config_editor_asset(httplib::Server& server);

// Sends `body` as JSON with `status`.
void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);

// Sends an attachment: as a download (Content-Disposition: attachment), or
// with `inline_image` shown in place when the content is a PNG, JPEG or GIF.
// A spooled one is streamed from its file in chunks (docs/architecture.md
// "Large attachments"), never shown inline.
void send_attachment(httplib::Response& res, const Attachment& attachment, bool inline_image);

}  // namespace databus::web
