// The REST API under /api/v1 (docs/api.md), plus /healthz and /readyz (the
// puller health of GET /api/v1/health is api_health_routes.cc).

#include "databus/config_version.h"
#include "databus/error.h"
#include "fs/no_space.h"
#include "web/access.h"
#include "web/api_support.h"
#include "web/error_status.h"
#include "web/login.h"
#include "web/routes.h"
#include "web/service.h"

namespace databus::web {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr char kClient[] = R"(/api/v1/clients/([^/]+))";

// A version as an HTTP entity tag (RFC 9110): quoted; tags never hold '"'.
std::string entity_tag(const std::string& version) { return "\"" + version + "\""; }

// The version a customizing save was edited from (docs/api.md, "Edit
// conflicts"): the body's "version" or the If-Match header (one entity tag,
// as the GET's ETag gave it); "" when neither is sent (no check), and for
// "If-Match: *". Both must agree when both are sent.
std::string expected_version(const Request& req, const json& j) {
  std::string from_body;
  if (j.contains("version")) {
    if (!j["version"].is_string()) throw HttpError(400, "field \"version\" must be a string");
    from_body = j["version"].get<std::string>();
  }
  if (!req.has_header("If-Match")) return from_body;
  std::string header = req.get_header_value("If-Match");
  header.erase(0, header.find_first_not_of(" \t"));
  header.erase(header.find_last_not_of(" \t") + 1);
  if (header == "*") return from_body;
  if (header.size() < 2 || header.front() != '"' || header.back() != '"' ||
      header.find_first_of("\",", 1) != header.size() - 1) {
    throw HttpError(400,
                    "If-Match must be one entity tag, as the customizing node's ETag gave it "
                    "(a weak tag W/\"...\" or a list cannot name a version)");
  }
  const std::string from_header = header.substr(1, header.size() - 2);
  if (!from_body.empty() && from_body != from_header) {
    throw HttpError(400, "field \"version\" and If-Match name different versions");
  }
  return from_header;
}

Principal changer(WebState& s, const Request& req, Response& res, const std::string& client) {
  return api_principal(s, req, res, client, Access::change);
}

Principal reader(WebState& s, const Request& req, Response& res, const std::string& client) {
  return api_principal(s, req, res, client, Access::read);
}

void add_session_routes(RouteTable& server, WebState& s) {
  server.Post("/api/v1/login", api(s, [&s](const Request& req, Response& res) {
                const std::string type = req.get_header_value("Content-Type");
                if (!type.starts_with("application/json"))
                  throw HttpError(415, "login must be application/json");
                const json j = body(req);
                const Session session =
                    log_in(s, string_field(j, "client"), string_field(j, "username"),
                           string_field(j, "password"), req.remote_addr);
                res.set_header("Set-Cookie", session_cookie(s, session.id));
                send_json(res, json{{"client_id", session.client_id},
                                    {"username", session.username},
                                    {"csrf_token", session.csrf_token}});
              }));
  server.Post("/api/v1/logout", api(s, [&s](const Request& req, Response& res) {
                const std::optional<Principal> who = identify(s, req);
                if (who && !who->session_id.empty()) {
                  check_csrf(*who, req, true);
                  s.sessions.remove(who->session_id);
                }
                res.set_header("Set-Cookie", session_cookie(s, ""));
                send_json(res, json{{"logged_out", true}});
              }));
  server.Get("/api/v1/session", api(s, [&s](const Request& req, Response& res) {
               const std::optional<Principal> who = identify(s, req);
               if (!who) throw HttpError(401, "login required");
               send_json(res, json{{"client_id", who->client_id},
                                   {"username", who->username},
                                   {"role", to_string(who->role)},
                                   {"root", who->root()},
                                   {"csrf_token", who->csrf_token}});
             }));
  server.Get("/api/v1/clients", api(s, [&s](const Request& req, Response& res) {
               const std::optional<Principal> who = identify(s, req);
               if (!who) throw HttpError(401, "login required");
               send_json(res, json{{"clients", visible_clients(s, *who)}});
             }));
}

void add_queue_routes(RouteTable& server, WebState& s) {
  const std::string c = kClient;
  server.Get(c + "/queue", api(s, [&s](const Request& req, Response& res) {
               const std::string client = req.matches[1];
               reader(s, req, res, client);
               service::QueueQuery q;
               q.passenger = param(req, "passenger");
               if (q.passenger.empty())
                 throw HttpError(400, "query parameter passenger is required");
               q.search = param(req, "search");
               q.filter = param(req, "filter", "all");
               const std::string order = param(req, "order", "newest");
               if (order != "newest" && order != "oldest")
                 throw HttpError(400, "order must be newest or oldest");
               q.newest_first = order == "newest";
               q.offset = number_param(req, "offset", 0);
               q.limit = number_param(req, "limit", 50);
               send_json(res, service::queue(s, client, q));
             }));
  server.Post(c + "/queue/purge", api(s, [&s](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                changer(s, req, res, client);
                const std::size_t n =
                    service::purge_completed(s, client, string_field(body(req), "passenger"));
                send_json(res, json{{"deleted", n}});
              }));
  server.Get(c + "/queue/([^/]+)", api(s, [&s](const Request& req, Response& res) {
               reader(s, req, res, req.matches[1]);
               send_json(res, service::entry(s, req.matches[1], req.matches[2]));
             }));
  server.Post(c + "/queue/([^/]+)/status", api(s, [&s](const Request& req, Response& res) {
                changer(s, req, res, req.matches[1]);
                const json j = body(req);
                const std::string module = j.contains("module") ? string_field(j, "module") : "";
                send_json(res, service::set_status(s, req.matches[1], req.matches[2],
                                                   string_field(j, "step"), module,
                                                   string_field(j, "status")));
              }));
  server.Get(
      c + "/queue/([^/]+)/attachments/([^/]+)", api(s, [&s](const Request& req, Response& res) {
        reader(s, req, res, req.matches[1]);
        const Attachment a = service::attachment(s, req.matches[1], req.matches[2], req.matches[3]);
        send_attachment(res, a, param(req, "inline") == "1");
      }));
}

void add_client_routes(RouteTable& server, WebState& s) {
  const std::string c = kClient;
  server.Get(c + "/passengers", api(s, [&s](const Request& req, Response& res) {
               reader(s, req, res, req.matches[1]);
               send_json(res, service::passengers(s, req.matches[1]));
             }));
  server.Post(c + "/passengers/([^/]+)/expedite", api(s, [&s](const Request& req, Response& res) {
                changer(s, req, res, req.matches[1]);
                service::expedite(s, req.matches[1], req.matches[2]);
                send_json(res, json{{"expedited", std::string(req.matches[2])}});
              }));
  server.Get(c + "/passengers/([^/]+)/peek", api(s, [&s](const Request& req, Response& res) {
               reader(s, req, res, req.matches[1]);
               send_json(res, service::peek(s, req.matches[1], req.matches[2]));
             }));
  server.Get(c + "/logs", api(s, [&s](const Request& req, Response& res) {
               reader(s, req, res, req.matches[1]);
               send_json(res,
                         service::logs(s, req.matches[1], number_param(req, "offset", 0),
                                       std::min<std::size_t>(number_param(req, "limit", 50), 500),
                                       param(req, "type")));
             }));
  server.Post(c + "/logs/purge", api(s, [&s](const Request& req, Response& res) {
                changer(s, req, res, req.matches[1]);
                send_json(res, json{{"deleted", service::purge_logs(s, req.matches[1])}});
              }));
  server.Get(c + "/logs/([^/]+)", api(s, [&s](const Request& req, Response& res) {
               reader(s, req, res, req.matches[1]);
               send_json(res, service::log(s, req.matches[1], req.matches[2]));
             }));
  server.Get(c + "/users", api(s, [&s](const Request& req, Response& res) {
               const Principal who = reader(s, req, res, req.matches[1]);
               send_json(res, service::users(s, req.matches[1], who));
             }));
  server.Post(c + "/users/([^/]+)/revoke-token", api(s, [&s](const Request& req, Response& res) {
                const Principal who = changer(s, req, res, req.matches[1]);
                service::revoke_token(s, req.matches[1], req.matches[2], who);
                send_json(res, json{{"revoked", true}});
              }));
  server.Post(c + "/users/([^/]+)/password", api(s, [&s](const Request& req, Response& res) {
                const Principal who = changer(s, req, res, req.matches[1]);
                service::set_password(s, req.matches[1], req.matches[2],
                                      string_field(body(req), "password"), who);
                send_json(res, json{{"changed", true}});
              }));
  server.Get(c + "/customizing", api(s, [&s](const Request& req, Response& res) {
               const Principal who = reader(s, req, res, req.matches[1]);
               send_json(res, service::customizing_nodes(s, req.matches[1], who));
             }));
  server.Get(c + "/customizing/([^/]+)", api(s, [&s](const Request& req, Response& res) {
               const Principal who = reader(s, req, res, req.matches[1]);
               const json node = service::customizing_node(s, req.matches[1], req.matches[2], who);
               res.set_header("ETag", entity_tag(node["version"].get<std::string>()));
               send_json(res, node);
             }));
  server.Post(c + "/customizing/([^/]+)", api(s, [&s](const Request& req, Response& res) {
                const Principal who = changer(s, req, res, req.matches[1]);
                const json j = body(req);
                const std::string text = string_field(j, "text");
                const std::string version = expected_version(req, j);
                try {
                  const ConfigVersion saved = service::save_customizing(
                      s, req.matches[1], req.matches[2], text, who, version);
                  res.set_header("ETag", entity_tag(saved.tag));
                  send_json(res, json{{"saved", true}, {"version", saved.tag}});
                } catch (const EditConflictError& e) {
                  send_json(res, service::edit_conflict(e), 409);
                }
              }));
}

DatabaseArguments arguments_of(const json& j) {
  DatabaseArguments out;
  if (!j.contains("arguments")) return out;
  if (!j["arguments"].is_object()) throw HttpError(400, "field \"arguments\" must be an object");
  for (const auto& [key, value] : j["arguments"].items()) {
    if (!value.is_string()) throw HttpError(400, "argument " + key + " must be a string");
    out[key] = value.get<std::string>();
  }
  return out;
}

void add_export_routes(RouteTable& server, WebState& s) {
  const std::string c = kClient;
  server.Get(c + "/export", api(s, [&s](const Request& req, Response& res) {
               reader(s, req, res, req.matches[1]);
               send_json(res, s.exports.status());
             }));
  server.Post(c + "/export", api(s, [&s](const Request& req, Response& res) {
                const Principal who = changer(s, req, res, req.matches[1]);
                if (!who.root())
                  throw HttpError(403, "only administrators of client root may export");
                const json j = body(req);
                const std::string mode = j.value("mode", "sync");
                if (mode != "sync" && mode != "async")
                  throw HttpError(400, "mode must be sync or async");
                const json out = s.exports.run(req.matches[1], string_field(j, "engine"),
                                               arguments_of(j), mode == "async");
                send_json(res, out, mode == "async" ? 202 : 200);
              }));
}

// The node a system action is for: the query parameter or the body's field
// `node`; empty (not given) for the whole cluster.
std::string target_node(const Request& req) {
  const json j = body(req);
  std::string node;
  if (j.contains("node")) {
    if (!j["node"].is_string()) throw HttpError(400, "field \"node\" must be a string");
    node = j["node"].get<std::string>();
    if (node.empty()) throw HttpError(400, "field \"node\" is empty; omit it for every node");
  }
  if (req.has_param("node")) {
    const std::string q = req.get_param_value("node");
    if (q.empty()) throw HttpError(400, "query parameter node is empty; omit it for every node");
    if (!node.empty() && node != q)
      throw HttpError(400, "query parameter node and field \"node\" name different nodes");
    node = q;
  }
  return node;
}

void add_system_routes(RouteTable& server, WebState& s) {
  server.Get("/healthz", [](const Request&, Response& res) { send_json(res, json{{"up", true}}); });
  server.Get("/readyz", [&s](const Request& req, Response& res) {
    const DispatcherState st = s.dispatcher.status().state;
    bool ready = st == DispatcherState::running || st == DispatcherState::paused;
    std::string why;
    try {
      s.dispatcher.database().client_ids();
    } catch (const std::exception& e) {
      // Unauthenticated: the engine's message (paths, addresses) goes to the
      // log only (docs/security.md, "Errors and redirects").
      ready = false;
      why = "the database cannot be read (request id " + report_internal_error(s, req, e.what()) +
            "; the details are in the server's log)";
    }
    // A full disk stops every write; say so rather than look healthy while
    // no drive makes progress (it goes on by itself once space returns).
    if (const auto full = durable::no_space_reason(s.dispatcher.ticket().data_dir)) {
      ready = false;
      why = why.empty() ? *full : why + "; " + *full;
    }
    send_json(res, json{{"ready", ready}, {"state", to_string(st)}, {"error", why}},
              ready ? 200 : 503);
  });
  server.Get("/api/v1/about", api(s, [&s](const Request& req, Response& res) {
               if (!identify(s, req)) throw HttpError(401, "login required");
               send_json(res, service::about(s));
             }));
  server.Get("/api/v1/system", api(s, [&s](const Request& req, Response& res) {
               authorize_root(s, req, Access::read);
               send_json(res, service::system(s));
             }));
  server.Post("/api/v1/system/(pause|resume|shutdown)",
              api(s, [&s](const Request& req, Response& res) {
                const Principal who = authorize_root(s, req, Access::change);
                check_csrf(who, req, true);
                send_json(res, service::system_action(s, req.matches[1], target_node(req)));
              }));
  server.Get("/api/v1/cluster", api(s, [&s](const Request& req, Response& res) {
               authorize_root(s, req, Access::read);
               send_json(res, service::cluster(s));
             }));
}

}  // namespace

void send_json(Response& res, const json& body, int status) {
  res.status = status;
  res.set_content(body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void add_api_routes(RouteTable& server, WebState& state) {
  add_session_routes(server, state);
  add_queue_routes(server, state);
  add_retry_api_routes(server, state);
  add_health_api_routes(server, state);
  add_dashboard_api_routes(server, state);
  add_schema_api_routes(server, state);
  add_client_routes(server, state);
  add_system_routes(server, state);
  add_export_routes(server, state);
}

}  // namespace databus::web
