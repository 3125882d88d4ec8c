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
// Retry-After. The server reads a body (up to
// kWebhookBodyCeiling) before the handler runs; the puller's own limit is
// applied then.
// The entry is stored already notified, in the one write that seats it, so
// a drive running at the same time never sees it unnotified.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "web/http.h"

namespace databus::web {

struct WebState;

void add_inbox_routes(httplib::Server& server, WebState& state);

}  // namespace databus::web
