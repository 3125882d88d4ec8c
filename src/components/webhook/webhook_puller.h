// "databus.puller.webhook": passengers that source systems POST to Databus
// (POST /api/v1/inbox/<client>/<passenger>, served by the web server, see
// web/inbox.h and docs/api.md). The web server seats each accepted request as
// one passenger, durably and already notified, before it answers 202; so a
// drive's pull_into() of this puller hands over nothing (the inbox is the
// queue itself, which the drive reads in batches like any other entries)
// and notify() has nothing to do. The puller's settings (token, limits, external id) are read by
// the web server from the client passenger's configuration at each request.
//
// This file also holds the HTTP-free half of the inbox: turning a request's
// body and files into a passenger (webhook_passenger()).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "databus/passenger.h"
#include "databus/puller.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kWebhookPullerModule[] = "databus.puller.webhook";

// The largest max_body_bytes a webhook puller may have; the web server reads
// no larger request body on the inbox route.
inline constexpr std::size_t kWebhookBodyCeiling = 64 * 1024 * 1024;
// Default of max_body_bytes.
inline constexpr std::size_t kWebhookDefaultMaxBody = 8 * 1024 * 1024;

// A webhook puller's settings, as resolved by the registry (${env:NAME}
// replaced, defaults filled).
struct WebhookSettings {
  std::string token;                // Secret; never empty.
  std::string external_id_pointer;  // JSON pointer into the body; "" none.
  std::string source_system = "webhook";
  std::size_t max_body_bytes = kWebhookDefaultMaxBody;
};

// Reads the settings of `env` (its resolved settings). Throws ConfigError
// naming the setting (never showing the token) for an empty token, a bad
// pointer or a limit outside 1..kWebhookBodyCeiling.
WebhookSettings read_webhook_settings(const ComponentEnv& env);

// One file part of a multipart/form-data request.
struct WebhookFile {
  std::string filename;      // As sent by the client (may hold a path).
  std::string content_type;  // May be empty.
  std::string content;
};

// What an inbox request carries, independent of the HTTP library.
struct WebhookRequest {
  std::string content_type;  // Of the request.
  std::string body;          // The body, unless multipart.
  bool multipart = false;
  std::vector<WebhookFile> files;                                // Multipart file parts.
  std::vector<std::pair<std::string, std::string>> form_fields;  // Multipart plain fields.
  std::string external_id;  // The X-External-Id header; "" when absent.
};

// Fills `passenger` (made by DriveContext::new_passenger) from `request`:
//  - a plain body becomes the attachment "body.<ext>" (extension from the
//    Content-Type as the HTTP puller does, "bin" when unknown);
//  - each multipart file becomes an attachment under its base name
//    (directories stripped, then cleansed and made unique), plain form
//    fields become the attachment "form.json" ({"field": "value", ...});
//  - an attachment is text when its content type is textual (text/*, JSON,
//    XML, form data or none) and its bytes are UTF-8 without NUL; otherwise
//    binary.
// External id: the X-External-Id header; else the string or number at
// external_id_pointer in the JSON body (or in form.json); else the digest
// "blake2b:<hex>" of the content, so an identical repeat is recognised.
// Throws std::invalid_argument (the request's fault, answered 400) for an
// empty request, an external id that is empty or not one line, or a missing
// value at external_id_pointer.
void webhook_passenger(const WebhookSettings& settings, const WebhookRequest& request,
                       Passenger& passenger);

// pull_into() hands over nothing, peek() returns nothing, notify() does
// nothing: the web server seats what arrives.
class WebhookPuller : public Puller {
 public:
  explicit WebhookPuller(const ComponentEnv& env);
  void pull_into(DriveContext& ctx, PassengerSink& sink) override;
  std::vector<Passenger> peek(DriveContext& ctx) override;
  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override;
};

ComponentSpec webhook_puller_spec();
void register_webhook_components(Registry& registry);

}  // namespace databus
