#include "components/mail/smtp_pusher.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "components/directory/directory_components.h"
#include "components/settings.h"
#include "databus/error.h"
#include "registry/secrets.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;

namespace {

size_t ignore(char*, size_t size, size_t count, void*) { return size * count; }

// Keeps the last protocol line the server sent.
struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string original_subject(const Passenger& p) {
  const Attachment* headers = p.find_attachment("_headers.json");
  if (headers == nullptr) return "";
  const nlohmann::json json = nlohmann::json::parse(headers->content, nullptr, false);
  if (!json.is_object()) return "";
  for (const auto& item : json.items()) {
    std::string key = item.key();
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    if (key != "subject") continue;
    const nlohmann::json& v =
        item.value().is_array() && !item.value().empty() ? item.value().front() : item.value();
    return v.is_string() ? v.get<std::string>() : "";
  }
  return "";
}

}  // namespace

namespace smtp_internal {

std::string subject_for(const std::string& subject_template, const Passenger& p) {
  const std::pair<std::string, std::string> fields[] = {
      {"{external_id}", p.external_id},     {"{internal_id}", p.internal_id},
      {"{source_system}", p.source_system}, {"{passenger_module}", p.passenger_module},
      {"{subject}", original_subject(p)},
  };
  std::string out;
  std::size_t i = 0;
  while (i < subject_template.size()) {
    bool replaced = false;
    for (const auto& [key, value] : fields) {
      if (subject_template.compare(i, key.size(), key) == 0) {
        out += value;
        i += key.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += subject_template[i++];
  }
  // A header value is one line.
  std::replace(out.begin(), out.end(), '\r', ' ');
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

void send_email(const MailEndpoint& endpoint, const WrittenEmail& email) {
  std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
  if (!handle) throw Error("cannot create a libcurl handle for SMTP");
  CURL* h = handle.get();
  apply_mail_endpoint(h, endpoint);
  const std::string url = endpoint.base_url();
  std::unique_ptr<curl_slist, ListDeleter> recipients;
  for (const std::string& to : email.recipients) {
    curl_slist* grown = curl_slist_append(recipients.get(), ("<" + to + ">").c_str());
    if (grown == nullptr) throw Error("out of memory listing SMTP recipients");
    recipients.release();
    recipients.reset(grown);
  }
  const std::string from = "<" + email.envelope_from + ">";
  MailUpload source{&email.raw};
  std::string last_line;
  char error_text[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  set_mail_upload(h, source);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ignore);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, keep_last_mail_line);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &last_line);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
  const CURLcode code = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  std::string failure;
  if (code != CURLE_OK) {
    failure = error_text[0] != 0 ? error_text : curl_easy_strerror(code);
  } else if (status < 200 || status > 299) {
    failure = "the server answered " + std::to_string(status);
  }
  if (failure.empty()) return;
  std::string message = "SMTP to " + url + " failed: " + failure;
  if (!last_line.empty()) message += "; the server said: " + last_line;
  throw Error(redact(message, endpoint.secrets));
}

}  // namespace smtp_internal

ComponentSpec smtp_pusher_spec() {
  ComponentSpec spec;
  spec.name = kSmtpPusherModule;
  spec.summary = "Sends each passenger as an e-mail with its attachments over SMTP.";
  spec.settings = mail_endpoint_settings(MailProtocol::smtp);
  spec.settings.push_back(
      SettingSpec{"from", "Sender, \"addr\" or \"Name <addr>\".", nullptr, true}.string());
  spec.settings.push_back(
      SettingSpec{"to", "Recipients, a list of \"addr\" or \"Name <addr>\".", nullptr, true}
          .string_list());
  spec.settings.push_back(
      SettingSpec{"subject",
                  "Subject template: {external_id}, {internal_id}, {source_system}, "
                  "{passenger_module} and {subject} (the pulled e-mail's) are replaced.",
                  "Databus: {source_system} {external_id}"}
          .string());
  spec.settings.push_back(
      SettingSpec{"body_attachment",
                  "Attachment that becomes the message text instead of being attached "
                  "(text/html when it ends with .html); empty or missing: a line naming the "
                  "passenger.",
                  "_body.txt"}
          .string());
  return spec;
}

SmtpPusher::SmtpPusher(const ComponentEnv& env)
    : module_(env.module.empty() ? kSmtpPusherModule : env.module),
      endpoint_(read_mail_endpoint(env, MailProtocol::smtp)) {
  mail_.from = di::string_setting(env, "from", "");
  mail_.to = cs::string_list(env, "to", {});
  mail_.subject = di::string_setting(env, "subject", "Databus: {source_system} {external_id}");
  mail_.body_attachment = di::string_setting(env, "body_attachment", "_body.txt");
  // Checked now, so a typo is a configuration error rather than a failed push.
  if (mail_.from.empty()) throw ConfigError(cs::where(env), "from", "needs the sender address");
  if (mail_.to.empty()) throw ConfigError(cs::where(env), "to", "needs at least one recipient");
  const Passenger probe;
  try {
    write_email(probe, OutgoingEmail{mail_.from, {"check@databus.invalid"}, "", "c@d", ""});
  } catch (const Error& e) {
    throw ConfigError(cs::where(env), "from", e.what());
  }
  for (const std::string& to : mail_.to) {
    try {
      write_email(probe, OutgoingEmail{"check@databus.invalid", {to}, "", "c@d", ""});
    } catch (const Error& e) {
      throw ConfigError(cs::where(env), "to", e.what());
    }
  }
}

void SmtpPusher::push(DriveContext& ctx, QueueEntry& entry) {
  const Passenger& p = entry.passenger;
  OutgoingEmail mail = mail_;
  mail.subject = smtp_internal::subject_for(mail_.subject, p);
  mail.message_id = p.internal_id + "@databus";
  const WrittenEmail email = write_email(p, mail);
  smtp_internal::send_email(endpoint_, email);
  ctx.log().info(module_, "Sent passenger " + p.describe() + " to " +
                              std::to_string(email.recipients.size()) + " recipient(s) via " +
                              endpoint_.base_url());
}

}  // namespace databus
