#include "components/http/http_components.h"

#include <cctype>
#include <optional>

#include "components/content_digest.h"
#include "components/directory/directory_components.h"
#include "components/exec/passenger_json.h"
#include "components/peek.h"
#include "components/settings.h"
#include "databus/error.h"
#include "registry/secrets.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;

namespace {

// Settings both HTTP connectors have; `url_text` describes the url.
std::vector<SettingSpec> endpoint_settings(const std::string& url_text) {
  return {
      SettingSpec{"url", url_text, nullptr, true}.string(),
      SettingSpec{"headers", "Request headers, e.g. {\"X-Api-Key\": \"${env:ERP_KEY}\"}.",
                  nlohmann::json::object(), false, true}
          .string_map(),
      SettingSpec{"auth",
                  "\"none\", \"basic\" (username and password) or \"bearer\" (token, sent as "
                  "Authorization: Bearer).",
                  "none"}
          .one_of({"none", "basic", "bearer"}),
      SettingSpec{"username", "User name for basic auth.", ""}.string(),
      SettingSpec{"password", "Password for basic auth; use ${env:NAME}.", "", false, true}
          .string(),
      SettingSpec{"token", "Token for bearer auth; use ${env:NAME}.", "", false, true}.string(),
      SettingSpec{"verify_tls",
                  "Verify the server's TLS certificate and host name (system CA store, or "
                  "ca_file); an untrusted certificate fails the step with an error saying so.",
                  true}
          .boolean(),
      SettingSpec{"ca_file",
                  "PEM file of the certificate authorities to trust instead of the system's (an "
                  "internal CA, a self-signed server); empty: the system's.",
                  "", false, false, HostAccess::path}
          .string(),
      SettingSpec{"timeout_seconds", "Seconds a whole request may take.", 30}.number_above(0),
  };
}

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A JSON pointer setting; empty allowed when `optional`.
std::string pointer_setting(const ComponentEnv& env, const std::string& key,
                            const std::string& fallback) {
  std::string text = di::string_setting(env, key, fallback);
  if (text.empty()) return text;
  try {
    nlohmann::json::json_pointer check(text);
  } catch (const nlohmann::json::exception&) {
    throw ConfigError(cs::where(env), key, "must be a JSON pointer such as \"/id\"");
  }
  return text;
}

// The external id at `pointer` in `item`: a non-empty string or a number.
// Throws std::invalid_argument otherwise.
std::string external_id_at(const nlohmann::json& item, const std::string& pointer) {
  const nlohmann::json::json_pointer p(pointer);
  if (!item.is_object() && !item.is_array()) throw std::invalid_argument("not an object");
  if (!item.contains(p)) throw std::invalid_argument("no value at " + pointer);
  const nlohmann::json& id = item.at(p);
  std::string text;
  if (id.is_string()) {
    text = id.get<std::string>();
  } else if (id.is_number()) {
    text = id.dump();
  } else {
    throw std::invalid_argument("the value at " + pointer + " is not a string or number");
  }
  if (text.empty() || text.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument("the value at " + pointer + " is empty or not one line");
  }
  return text;
}

bool looks_like_json(const std::string& body, const std::string& content_type) {
  if (content_type.find("json") != std::string::npos) return true;
  const std::size_t first = body.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (body[first] == '{' || body[first] == '[');
}

}  // namespace

namespace http_internal {

std::string extension_for(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, const char*> known[] = {
      {"application/json", "json"},
      {"text/plain", "txt"},
      {"text/csv", "csv"},
      {"text/html", "html"},
      {"application/xml", "xml"},
      {"text/xml", "xml"},
      {"application/pdf", "pdf"},
      {"application/zip", "zip"},
      {"image/png", "png"},
      {"image/jpeg", "jpg"},
      {"image/gif", "gif"},
      {"text/markdown", "md"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
  };
  for (const auto& [name, ext] : known) {
    if (type == name) return ext;
  }
  if (type.size() > 5 && type.ends_with("+json")) return "json";
  if (type.size() > 4 && type.ends_with("+xml")) return "xml";
  return "bin";
}

}  // namespace http_internal

ComponentSpec http_puller_spec() {
  ComponentSpec spec;
  spec.name = kHttpPullerModule;
  spec.summary =
      "GETs a URL each drive; a JSON array, a JSON object or any body becomes passengers.";
  spec.settings =
      endpoint_settings("The URL to GET, http:// or https://. Redirects are not followed.");
  spec.settings.push_back(SettingSpec{
      "external_id_pointer", "JSON pointer to the external id inside each JSON item.", "/id"}
                              .string());
  spec.settings.push_back(
      SettingSpec{"items_pointer",
                  "JSON pointer to the array of items inside the body, e.g. \"/data\"; empty: "
                  "the body itself.",
                  ""}
          .string());
  spec.settings.push_back(
      SettingSpec{"source_system", "Source system of the passengers.", "http"}.string());
  spec.settings.push_back(SettingSpec{
      "max_response_bytes",
      "Longest response body read; a longer one fails the pull with an error naming the URL "
      "(refused before reading when the server sends Content-Length).",
      static_cast<std::int64_t>(kDefaultMaxResponseBytes)}
                              .integer(1));
  spec.settings.push_back(SettingSpec{
      "notify_url",
      "POSTed {\"external_ids\": [...]} after the passengers are queued; empty: none.", ""}
                              .string());
  return spec;
}

ComponentSpec http_pusher_spec() {
  ComponentSpec spec;
  spec.name = kHttpPusherModule;
  spec.summary = "POSTs each passenger to a URL as JSON or multipart; 2xx delivers it.";
  spec.settings =
      endpoint_settings("The URL to POST to, http:// or https://. Redirects are not followed.");
  spec.settings.push_back(SettingSpec{
      "format", "\"json\" (the passenger as JSON) or \"multipart\" (one part per attachment).",
      "json"}
                              .one_of({"json", "multipart"}));
  return spec;
}

void register_http_components(Registry& registry) {
  registry.add_puller(http_puller_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Puller> {
    return std::make_unique<HttpPuller>(env);
  });
  registry.add_pusher(http_pusher_spec(), [](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
    return std::make_unique<HttpPusher>(env);
  });
}

HttpPuller::HttpPuller(const ComponentEnv& env)
    : module_(env.module.empty() ? kHttpPullerModule : env.module),
      endpoint_(read_http_endpoint(env)),
      external_id_pointer_(pointer_setting(env, "external_id_pointer", "/id")),
      items_pointer_(pointer_setting(env, "items_pointer", "")),
      source_system_(di::string_setting(env, "source_system", "http")),
      notify_url_(di::string_setting(env, "notify_url", "")) {
  if (external_id_pointer_.empty()) {
    throw ConfigError(cs::where(env), "external_id_pointer", "must not be empty");
  }
}

void HttpPuller::pull_into(DriveContext& ctx, PassengerSink& sink) {
  const HttpResponse response = send_http(endpoint_, "GET", endpoint_.url);
  check_http_success(endpoint_, "GET", endpoint_.url, response);
  const std::string where = redact("GET " + endpoint_.url, endpoint_.secrets);
  std::size_t handed = 0;

  nlohmann::json document;
  bool is_json = false;
  if (looks_like_json(response.body, response.content_type)) {
    document = nlohmann::json::parse(response.body, nullptr, false);
    is_json = !document.is_discarded() && (document.is_object() || document.is_array());
  }
  if (!items_pointer_.empty()) {
    const nlohmann::json::json_pointer p(items_pointer_);
    if (!is_json || !document.contains(p) || !document.at(p).is_array()) {
      throw Error(where + ": the body has no JSON array at " + items_pointer_);
    }
    document = nlohmann::json(std::move(document.at(p)));
  }
  if (!is_json) {
    Passenger p = ctx.new_passenger(content_digest(response.body), source_system_, module_);
    p.add_attachment("body." + http_internal::extension_for(response.content_type),
                     di::is_text(response.body) ? AttachmentFormat::text : AttachmentFormat::binary,
                     response.body);
    sink.put(std::move(p));
    ++handed;
  } else {
    if (!document.is_array()) document = nlohmann::json::array({std::move(document)});
    std::size_t index = 0;
    // One element at a time: each passenger is handed over (and may be
    // seated and notified) before the next element is turned into one.
    for (const nlohmann::json& item : document) {
      if (ctx.stop_requested() || sink.done()) break;
      ++index;
      std::optional<Passenger> p;
      try {
        p = ctx.new_passenger(external_id_at(item, external_id_pointer_), source_system_, module_);
        p->add_attachment("item.json", AttachmentFormat::text, dump(item));
      } catch (const std::exception& e) {
        ctx.log().error(module_,
                        where + ", item " + std::to_string(index) + " skipped: " + e.what());
        continue;
      }
      sink.put(std::move(*p));  // Outside the try: what seating throws fails the pull.
      ++handed;
    }
  }
  ctx.log().info(module_, "Got " + std::to_string(handed) + " passenger(s) from " + where);
}

std::vector<Passenger> HttpPuller::peek(DriveContext& ctx) { return peek_first(*this, ctx); }

void HttpPuller::notify(DriveContext& ctx, const std::vector<Passenger>& seated) {
  if (notify_url_.empty() || seated.empty()) return;
  nlohmann::json ids = nlohmann::json::array();
  for (const Passenger& p : seated) ids.push_back(p.external_id);
  const std::string body = dump({{"external_ids", ids}});
  const HttpResponse response = send_http(endpoint_, "POST", notify_url_, body, "application/json");
  check_http_success(endpoint_, "POST", notify_url_, response);
  ctx.log().info(module_, "Told " + redact(notify_url_, endpoint_.secrets) + " about " +
                              std::to_string(seated.size()) + " queued passenger(s)");
}

HttpPusher::HttpPusher(const ComponentEnv& env)
    : module_(env.module.empty() ? kHttpPusherModule : env.module),
      endpoint_(read_http_endpoint(env)) {
  const std::string format = di::string_setting(env, "format", "json");
  if (format != "json" && format != "multipart") {
    throw ConfigError(cs::where(env), "format", "must be \"json\" or \"multipart\"");
  }
  multipart_ = format == "multipart";
}

void HttpPusher::push(DriveContext& ctx, QueueEntry& entry) {
  const Passenger& p = entry.passenger;
  const std::vector<std::pair<std::string, std::string>> ids = {
      {"X-Databus-External-Id", p.external_id},
      {"X-Databus-Internal-Id", p.internal_id},
      {"X-Databus-Source-System", p.source_system},
  };
  HttpResponse response;
  if (multipart_) {
    std::vector<HttpPart> parts;
    for (const Attachment& a : p.attachments) {
      // Streamed from the attachment: a spooled one is never read whole.
      parts.push_back({a.name, a.name,
                       a.format == AttachmentFormat::text ? "text/plain; charset=utf-8"
                                                          : "application/octet-stream",
                       "", &a});
    }
    if (parts.empty()) {
      // No empty form: an empty JSON list says "no attachments".
      response = send_http(endpoint_, "POST", endpoint_.url, "[]", "application/json", {}, ids);
    } else {
      response = send_http(endpoint_, "POST", endpoint_.url, "", "", parts, ids);
    }
  } else {
    std::string body;
    try {
      body = dump(passenger_to_json(p));
    } catch (const ContentTooLargeError& e) {
      throw ContentTooLargeError(module_ + ": " + e.what() +
                                 "; the json format sends content whole: use format "
                                 "\"multipart\", which streams it");
    }
    response = send_http(endpoint_, "POST", endpoint_.url, body, "application/json", {}, ids);
  }
  check_http_success(endpoint_, "POST", endpoint_.url, response);
  ctx.log().info(module_, "Pushed passenger " + p.describe() + " to " +
                              redact(endpoint_.url, endpoint_.secrets));
}

}  // namespace databus
