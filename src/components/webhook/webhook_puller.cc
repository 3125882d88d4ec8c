#include "components/webhook/webhook_puller.h"

#include <cctype>
#include <stdexcept>

#include "components/content_digest.h"
#include "components/directory/directory_components.h"
#include "components/http/http_components.h"
#include "components/settings.h"
#include "databus/error.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;

namespace {

std::string lower_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.pop_back();
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) type.erase(0, 1);
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

bool textual_type(const std::string& content_type) {
  const std::string type = lower_type(content_type);
  return type.empty() || type.starts_with("text/") || type.find("json") != std::string::npos ||
         type.find("xml") != std::string::npos || type == "application/x-www-form-urlencoded" ||
         type == "application/javascript" || type == "application/yaml";
}

AttachmentFormat format_of(const std::string& content_type, const std::string& bytes) {
  return textual_type(content_type) && di::is_text(bytes) ? AttachmentFormat::text
                                                          : AttachmentFormat::binary;
}

// The last path component of a client-sent file name ("C:\x\a.txt" -> "a.txt").
std::string base_name(const std::string& filename) {
  const std::size_t slash = filename.find_last_of("/\\");
  std::string base = slash == std::string::npos ? filename : filename.substr(slash + 1);
  return base.empty() ? "file" : base;
}

std::string checked_id(std::string id, const std::string& what) {
  if (id.empty() || id.find_first_of("\r\n") != std::string::npos) {
    throw std::invalid_argument(what + " is empty or not one line");
  }
  return id;
}

std::string id_at(const nlohmann::json& document, const std::string& pointer) {
  const nlohmann::json::json_pointer p(pointer);
  if (!document.is_structured() || !document.contains(p)) {
    throw std::invalid_argument("the body has no external id at " + pointer);
  }
  const nlohmann::json& id = document.at(p);
  if (id.is_string()) return checked_id(id.get<std::string>(), "the external id at " + pointer);
  if (id.is_number()) return id.dump();
  throw std::invalid_argument("the external id at " + pointer + " is not a string or number");
}

// Length-prefixed, so that no two different requests give the same text.
void append_framed(std::string& out, const std::string& part) {
  out += std::to_string(part.size());
  out += ':';
  out += part;
}

}  // namespace

WebhookSettings read_webhook_settings(const ComponentEnv& env) {
  WebhookSettings s;
  s.token = di::string_setting(env, "token", "");
  if (s.token.empty()) throw ConfigError(cs::where(env), "token", "must not be empty");
  s.external_id_pointer = di::string_setting(env, "external_id_pointer", "");
  if (!s.external_id_pointer.empty()) {
    try {
      nlohmann::json::json_pointer check(s.external_id_pointer);
    } catch (const nlohmann::json::exception&) {
      throw ConfigError(cs::where(env), "external_id_pointer",
                        "must be a JSON pointer such as \"/id\"");
    }
  }
  s.source_system = di::string_setting(env, "source_system", "webhook");
  const std::int64_t max =
      cs::integer(env, "max_body_bytes", static_cast<std::int64_t>(kWebhookDefaultMaxBody), 1);
  if (static_cast<std::uint64_t>(max) > kWebhookBodyCeiling) {
    throw ConfigError(cs::where(env), "max_body_bytes",
                      "must be at most " + std::to_string(kWebhookBodyCeiling));
  }
  s.max_body_bytes = static_cast<std::size_t>(max);
  return s;
}

void webhook_passenger(const WebhookSettings& settings, const WebhookRequest& request,
                       Passenger& passenger) {
  std::string content;      // What the digest covers.
  nlohmann::json document;  // Where external_id_pointer looks.
  if (request.multipart) {
    nlohmann::json form = nlohmann::json::object();
    for (const auto& [name, value] : request.form_fields) {
      form[name] = value;
      append_framed(content, name);
      append_framed(content, value);
    }
    if (!form.empty()) {
      passenger.add_attachment("form.json", AttachmentFormat::text,
                               form.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    for (const WebhookFile& f : request.files) {
      passenger.add_attachment(base_name(f.filename), format_of(f.content_type, f.content),
                               f.content);
      append_framed(content, f.filename);
      append_framed(content, f.content);
    }
    document = std::move(form);
  } else if (!request.body.empty()) {
    passenger.add_attachment("body." + http_internal::extension_for(request.content_type),
                             format_of(request.content_type, request.body), request.body);
    content = request.body;
    document = nlohmann::json::parse(request.body, nullptr, false);
  }
  if (passenger.attachments.empty() && request.external_id.empty()) {
    throw std::invalid_argument("the request carries nothing: no body, no file, no X-External-Id");
  }
  if (!request.external_id.empty()) {
    passenger.external_id = checked_id(request.external_id, "header X-External-Id");
  } else if (!settings.external_id_pointer.empty()) {
    passenger.external_id = id_at(document, settings.external_id_pointer);
  } else {
    passenger.external_id = content_digest(content);
  }
}

WebhookPuller::WebhookPuller(const ComponentEnv& env) { read_webhook_settings(env); }

void WebhookPuller::pull_into(DriveContext&, PassengerSink&) {}
std::vector<Passenger> WebhookPuller::peek(DriveContext&) { return {}; }
void WebhookPuller::notify(DriveContext&, const std::vector<Passenger>&) {}

ComponentSpec webhook_puller_spec() {
  ComponentSpec spec;
  spec.name = kWebhookPullerModule;
  spec.summary =
      "Passengers POSTed to /api/v1/inbox/<client>/<passenger>, seated before 202 Accepted.";
  spec.settings = {
      SettingSpec{"token",
                  "The token senders must give (Authorization: Bearer TOKEN or X-Databus-Token); "
                  "use ${env:NAME}.",
                  nullptr, true, true}
          .string(),
      SettingSpec{"external_id_pointer",
                  "JSON pointer to the external id in a JSON body (or the form fields); empty: the "
                  "X-External-Id header, else a digest of the content.",
                  ""}
          .string(),
      SettingSpec{"source_system", "Source system of the passengers.", "webhook"}.string(),
      SettingSpec{"max_body_bytes", "Largest request body accepted (413 beyond); at most 64 MiB.",
                  static_cast<std::int64_t>(kWebhookDefaultMaxBody)}
          .integer(1, static_cast<double>(kWebhookBodyCeiling)),
  };
  return spec;
}

void register_webhook_components(Registry& registry) {
  registry.add_puller(webhook_puller_spec(),
                      [](const ComponentEnv& env) -> std::unique_ptr<Puller> {
                        return std::make_unique<WebhookPuller>(env);
                      });
}

}  // namespace databus
