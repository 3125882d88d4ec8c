// Connectors for HTTP(S) servers, over libcurl (http_request.h). Both share
// the settings url, headers, auth ("none", "basic" with username/password,
// "bearer" with token), verify_tls (default true), ca_file (default: the
// system's CAs) and timeout_seconds (default 30); the puller also
// max_response_bytes (default 64 MiB). password, token and headers are secret: their values never
// appear in logs or errors. Redirects are not followed.
#pragma once

#include <string>
#include <vector>

#include "components/http/http_request.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kHttpPullerModule[] = "databus.puller.http";
inline constexpr char kHttpPusherModule[] = "databus.pusher.http";

// "databus.puller.http". pull_into() GETs `url` (one response: the
// puller does not page); a non-2xx answer or a transport
// error throws Error naming the URL. The body becomes passengers:
//  - JSON (the value at `items_pointer` when set, which must then be an
//    array) that is an array: one passenger per element, an object: one
//    passenger. The element is the attachment "item.json"; the external id
//    is the string or number at `external_id_pointer` (default "/id") in it.
//    An element without one is logged as an error and skipped.
//  - any other body: one passenger with the body as attachment
//    "body.<ext>" (extension from the Content-Type, else "bin"; text when it
//    is valid UTF-8 without NUL bytes) and external id "blake2b:<hex>", the
//    BLAKE2b-256 digest of the body, so an unchanged body is a repeat.
// Each passenger is handed over as its element is read, so the passengers
// before it may be notified while the rest of the response is turned into
// passengers. peek() gives the first kPeekLimit (components/peek.h).
// notify() POSTs {"external_ids": [...]} of the seated
// passengers to `notify_url` when set (same auth and headers); a non-2xx
// answer throws.
class HttpPuller : public Puller {
 public:
  // Throws ConfigError naming the setting for a bad value.
  explicit HttpPuller(const ComponentEnv& env);
  void pull_into(DriveContext& ctx, PassengerSink& sink) override;
  std::vector<Passenger> peek(DriveContext& ctx) override;
  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override;

 private:
  std::string module_;
  HttpEndpoint endpoint_;
  std::string external_id_pointer_;
  std::string items_pointer_;  // Empty: the whole body.
  std::string source_system_;
  std::string notify_url_;  // Empty: none.
};

// "databus.pusher.http". push() POSTs the passenger to `url`:
//  - format "json": the passenger JSON of the exec connectors
//    (passenger_json.h), Content-Type application/json;
//  - format "multipart": multipart/form-data, one part per attachment
//    (field and file name = the attachment name; text/plain; charset=utf-8
//    or application/octet-stream); a passenger without attachments is sent
//    as the JSON body "[]" rather than an empty form.
// Either way the headers X-Databus-External-Id, X-Databus-Internal-Id and
// X-Databus-Source-System name the passenger. A 2xx answer delivers it;
// anything else throws Error (retried at the next drive), so the server
// should treat the internal id as an idempotency key.
class HttpPusher : public Pusher {
 public:
  explicit HttpPusher(const ComponentEnv& env);
  void push(DriveContext& ctx, QueueEntry& entry) override;

 private:
  std::string module_;
  HttpEndpoint endpoint_;
  bool multipart_ = false;
};

ComponentSpec http_puller_spec();
ComponentSpec http_pusher_spec();

// Adds both HTTP connectors to `registry`.
void register_http_components(Registry& registry);

namespace http_internal {

// "json", "txt", ... for a Content-Type such as "text/plain; charset=x";
// "bin" for an unknown or empty one.
std::string extension_for(const std::string& content_type);

}  // namespace http_internal

}  // namespace databus
