// One HTTP request over libcurl, shared by the HTTP connectors. Settings
// common to them (url, headers, auth, TLS verification, timeout) are read
// once into an HttpEndpoint; send() performs one request against it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "components/http/address_policy.h"
#include "databus/attachment_content.h"
#include "databus/component.h"

namespace databus {

enum class HttpAuth { none, basic, bearer };

inline constexpr std::size_t kDefaultMaxResponseBytes = 64 * 1024 * 1024;

// Where and how to reach a server; what the connectors' common settings say.
struct HttpEndpoint {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  HttpAuth auth = HttpAuth::none;
  std::string username;
  std::string password;  // Secret.
  std::string token;     // Secret.
  bool verify_tls = true;
  // PEM file of the certificate authorities to trust instead of the
  // system's (e.g. an internal CA or a self-signed server); "" the system's.
  std::string ca_file;
  std::chrono::milliseconds timeout{30000};
  // A longer response body fails the request. Default: 64 MiB.
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  // Values never to show in messages (password, token, header values).
  std::vector<std::string> secrets;
  // Where requests may connect (default: anywhere). A restricting policy
  // also connects directly, past any proxy of the environment, so that the
  // address checked is the server's.
  AddressPolicy policy;
};

// One part of a multipart/form-data body.
struct HttpPart {
  std::string name;  // Form field name.
  std::string filename;
  std::string content_type;
  std::string data;  // Any bytes, NUL included.
  // When set, the part's bytes are this attachment's content, read as a
  // stream while the request is sent (`data` is then unused), so a spooled
  // attachment is never held whole (docs/architecture.md "Large
  // attachments"). Must outlive the send_http() call.
  const Attachment* source = nullptr;
};

struct HttpResponse {
  long status = 0;
  std::string content_type;  // As sent, e.g. "application/json; charset=utf-8".
  std::string body;
};

// Reads url (required), headers, auth, username, password, token,
// verify_tls, ca_file, timeout_seconds and (when present) max_response_bytes
// from `env`. Throws ConfigError naming the
// setting for a bad value (never showing a secret).
HttpEndpoint read_http_endpoint(const ComponentEnv& env);

// Performs `method` ("GET" or "POST") against `url` with the endpoint's
// headers, auth, TLS verification and timeout. `body` with `content_type` is
// sent when non-empty; `parts`, when non-empty, are sent as
// multipart/form-data instead. Redirects are not followed (credentials stay
// with the configured host). Only http and https are allowed.
//
// With a restricting endpoint.policy, a URL whose host is not allowed is
// refused before anything is sent, and an address the policy refuses is
// never connected to; either throws Error saying so.
//
// Returns whatever status the server answered. Throws Error naming the
// method and URL (secrets replaced by "***") on a transport failure
// (connection refused, timeout, TLS verification failure) and when the
// response body is longer than endpoint.max_response_bytes.
HttpResponse send_http(const HttpEndpoint& endpoint, const std::string& method,
                       const std::string& url, const std::string& body = "",
                       const std::string& content_type = "",
                       const std::vector<HttpPart>& parts = {},
                       const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

// Throws Error "<method> <url> answered <status>: <start of body>" (secrets
// replaced) unless `response` has a 2xx status.
void check_http_success(const HttpEndpoint& endpoint, const std::string& method,
                        const std::string& url, const HttpResponse& response);

}  // namespace databus
