// The inbox of webhook pullers (components/webhook/webhook_puller.h):
// POST /api/v1/inbox/<client>/<passenger> (docs/api.md).
//
// A request is answered
//   404 for an unknown client or passenger type, or one without a webhook
//       puller (before any token check, so it tells nothing more);
//   401 without the token or with a wrong one (compared in constant time);
//   413 for a body larger than the puller's max_body_bytes;
//   400 for a request that makes no passenger (webhook_passenger());
//   202 {"internal_id", "external_id", "status": "accepted"} once the
//       passenger is durably seated through the client passenger's queue
//       (so its dedup rule applies), already notified; the client
//       passenger is then expedited so that the next drive processes and
//       pushes it at once;
//   200 {"internal_id" of the queued one, ..., "status": "duplicate"} when
//       a passenger with that source system and external id is queued
//       already; nothing is stored.
// Seats go through the client passenger's lane (Dispatcher::seat), so that
// identical requests arriving together, or with a drive's seat, are seated
// once; while an export of the client runs the inbox answers 503 with
// Retry-After. The server reads the body before the handler runs, counting
// it as it arrives: up to inbox_body_limit() with the webhook's token, up to
// the anonymous limit without it (413 beyond, docs/security.md "Hostile
// connections"); the handler applies the puller's max_body_bytes to the
// decoded body.
// The entry is stored already notified, in the one write that seats it, so
// a drive running at the same time never sees it unnotified.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "web/http.h"
#include "web/route_table.h"

namespace databus::web {

struct WebState;

void add_inbox_routes(RouteTable& server, WebState& state);

// Room for chunk and multipart framing on top of max_body_bytes in the
// count of the body as it arrives.
inline constexpr std::size_t kInboxFramingAllowance = 64 * 1024;

// For a request to an inbox carrying the token of one of its webhook
// pullers: that puller's max_body_bytes plus kInboxFramingAllowance, the
// most the server reads of its body. nullopt for any other request (not an
// inbox, unknown inbox, no or wrong token).
std::optional<std::size_t> inbox_body_limit(WebState& state, const httplib::Request& req);

}  // namespace databus::web
