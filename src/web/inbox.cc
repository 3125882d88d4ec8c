#include "web/inbox.h"

#include <sodium.h>

#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "components/webhook/webhook_puller.h"
#include "databus/database_wrapper.h"
#include "databus/error.h"
#include "databus/factories.h"
#include "web/access.h"
#include "web/error_status.h"
#include "web/routes.h"
#include "web/web_state.h"

namespace databus::web {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

// The webhook pullers of the client passenger, with resolved settings.
struct Inbox {
  ClientPassenger passenger;
  std::vector<std::pair<std::string, WebhookSettings>> webhooks;  // (module as written, settings)
};

Inbox find_inbox(WebState& s, const std::string& client_id, const std::string& name) {
  check_client_id_param(client_id);
  ClientConfig config;
  try {
    config = s.dispatcher.database().load_client(client_id);
  } catch (const NotFoundError&) {
    throw HttpError(404, "no inbox for client '" + client_id + "'");
  } catch (const ConfigError&) {
    throw HttpError(503, "the configuration of client '" + client_id + "' is invalid");
  }
  const ClientPassenger* p = config.find_passenger(name);
  if (p == nullptr) {
    throw HttpError(404, "client '" + client_id + "' has no passenger type '" + name + "'");
  }
  const Registry& registry = *s.dispatcher.ticket().registry;
  if (registry.find(ComponentKind::passenger, name) == nullptr ||
      registry.find(ComponentKind::queue, p->queue.module) == nullptr) {
    throw HttpError(503, "passenger type '" + name + "' of client '" + client_id +
                             "' names an unknown passenger or queue module (see databus check)");
  }
  Inbox inbox{*p, {}};
  for (const ComponentRef& ref : p->pullers) {
    const ComponentSpec* spec = registry.find(ComponentKind::puller, ref.module);
    if (spec == nullptr || spec->name != kWebhookPullerModule) continue;
    const std::string where = "webhook puller of passenger " + name + " of client " + client_id;
    try {
      ComponentEnv env{client_id,
                       name,
                       spec->name,
                       registry.resolve_settings(ComponentKind::puller, ref, where),
                       {}};
      inbox.webhooks.emplace_back(ref.module, read_webhook_settings(env));
    } catch (const ConfigError&) {
      // Details (setting names, variables) are for `databus check`, not for
      // an unauthenticated sender.
      throw HttpError(503, "the webhook of passenger type '" + name + "' of client '" + client_id +
                               "' is not configured correctly (see databus check)");
    }
  }
  if (inbox.webhooks.empty()) {
    throw HttpError(
        404, "passenger type '" + name + "' of client '" + client_id + "' has no webhook puller");
  }
  return inbox;
}

std::string given_token(const Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  if (auth.starts_with("Bearer ")) return auth.substr(7);
  return req.get_header_value("X-Databus-Token");
}

// Equal tokens, in time independent of where they differ and of their
// lengths (both are hashed first).
bool same_token(const std::string& given, const std::string& expected) {
  unsigned char a[32];
  unsigned char b[32];
  crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(given.data()),
                     given.size(), nullptr, 0);
  crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()),
                     expected.size(), nullptr, 0);
  return sodium_memcmp(a, b, sizeof a) == 0;
}

// The webhook whose token the request carries. Throws HttpError 401.
const std::pair<std::string, WebhookSettings>& authenticate(const Inbox& inbox, const Request& req,
                                                            Response& res) {
  const std::string token = given_token(req);
  const std::pair<std::string, WebhookSettings>* match = nullptr;
  for (const auto& hook : inbox.webhooks) {
    // Every token is compared, so the time does not tell which one matched.
    if (same_token(token, hook.second.token) && match == nullptr) match = &hook;
  }
  if (token.empty() || match == nullptr) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"databus inbox\"");
    throw HttpError(401, token.empty() ? "the inbox token is missing (Authorization: Bearer TOKEN)"
                                       : "the inbox token is wrong");
  }
  return *match;
}

WebhookRequest webhook_request(const Request& req, const WebhookSettings& settings) {
  WebhookRequest r;
  r.content_type = req.get_header_value("Content-Type");
  r.external_id = req.get_header_value("X-External-Id");
  std::size_t size = req.body.size();
  r.multipart = req.is_multipart_form_data();
  if (r.multipart) {
    for (const auto& [field, part] : req.files) {
      size += part.content.size();
      if (part.filename.empty()) {
        r.form_fields.emplace_back(part.name, part.content);
      } else {
        r.files.push_back({part.filename, part.content_type, part.content});
      }
    }
  } else {
    r.body = req.body;
  }
  if (size > settings.max_body_bytes) {
    throw HttpError(413, "the request body is larger than " +
                             std::to_string(settings.max_body_bytes) + " bytes");
  }
  return r;
}

json answer(const Passenger& p, const std::string& status) {
  return json{{"internal_id", p.internal_id}, {"external_id", p.external_id}, {"status", status}};
}

void receive(WebState& s, const Request& req, Response& res) {
  const std::string client_id = req.matches[1];
  const std::string name = req.matches[2];
  const Inbox inbox = find_inbox(s, client_id, name);
  const auto& [module, settings] = authenticate(inbox, req, res);

  const Factories& factories = s.dispatcher.factories();
  Log log;
  DriveContext ctx(client_id, inbox.passenger, log,
                   [&factories, &name] { return factories.passenger(name); });
  Passenger passenger = ctx.new_passenger("", settings.source_system, module);
  try {
    webhook_passenger(settings, webhook_request(req, settings), passenger);
  } catch (const std::invalid_argument& e) {
    throw HttpError(400, e.what());
  }

  // Through the client passenger's lane (Dispatcher::seat): deduplicated
  // against the drives' seats and other requests, logged in the lane's inbox
  // log, and expedited.
  const std::string note = "Webhook: seated passenger " + passenger.describe() + " with " +
                           std::to_string(passenger.attachments.size()) + " attachment(s) from " +
                           req.remote_addr;
  std::optional<QueueEntry> seated;
  try {
    seated = s.dispatcher.seat(client_id, inbox.passenger, passenger, note);
  } catch (const StateError& e) {  // An export of the client runs.
    throw HttpError(503, e.what(), 30);
  }
  if (!seated) {
    const std::optional<std::string> id = s.dispatcher.database().find_entry(
        client_id, name, passenger.source_system, passenger.external_id);
    if (id) passenger.internal_id = *id;
    send_json(res, answer(passenger, "duplicate"), 200);
    return;
  }
  send_json(res, answer(seated->passenger, "accepted"), 202);
}

}  // namespace

std::optional<std::size_t> inbox_body_limit(WebState& state, const httplib::Request& req) {
  constexpr std::string_view kPrefix = "/api/v1/inbox/";
  if (!req.path.starts_with(kPrefix)) return std::nullopt;
  const std::string rest = req.path.substr(kPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string::npos || slash + 1 == rest.size() ||
      rest.find('/', slash + 1) != std::string::npos) {
    return std::nullopt;
  }
  std::optional<Inbox> inbox;
  try {
    inbox = find_inbox(state, rest.substr(0, slash), rest.substr(slash + 1));
  } catch (const std::exception&) {
    return std::nullopt;  // The handler answers it (404, 503) without reading much.
  }
  const std::string token = given_token(req);
  std::optional<std::size_t> limit;
  for (const auto& hook : inbox->webhooks) {
    // Every token is compared, as in authenticate().
    if (same_token(token, hook.second.token) && !token.empty() && !limit) {
      limit = hook.second.max_body_bytes + kInboxFramingAllowance;
    }
  }
  return limit;
}

void add_inbox_routes(RouteTable& server, WebState& state) {
  server.Post(R"(/api/v1/inbox/([^/]+)/([^/]+))", [&state](const Request& req, Response& res) {
    try {
      receive(state, req, res);
    } catch (...) {
      const ErrorStatus error = handle_error(state, req, std::current_exception());
      send_json(res, json{{"error", error.message}}, error.status);
      apply_error_status(error, res);
    }
  });
}

}  // namespace databus::web
