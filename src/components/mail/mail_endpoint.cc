#include "components/mail/mail_endpoint.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "components/directory/directory_components.h"
#include "components/settings.h"
#include "databus/error.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;

namespace {

const char* implicit_word(MailProtocol protocol) {
  return protocol == MailProtocol::imap ? "imaps" : "smtps";
}

int default_port(MailProtocol protocol, MailTls tls) {
  if (protocol == MailProtocol::imap) return tls == MailTls::implicit ? 993 : 143;
  if (tls == MailTls::implicit) return 465;
  return tls == MailTls::starttls ? 587 : 25;
}

}  // namespace

std::string MailEndpoint::base_url() const {
  std::string scheme = protocol == MailProtocol::imap ? "imap" : "smtp";
  if (tls == MailTls::implicit) scheme += "s";
  const bool ipv6 = host.find(':') != std::string::npos;
  return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::vector<SettingSpec> mail_endpoint_settings(MailProtocol protocol) {
  const bool imap = protocol == MailProtocol::imap;
  const std::string implicit = implicit_word(protocol);
  return {
      SettingSpec{"host",
                  "Host name or address of the " + std::string(imap ? "IMAP" : "SMTP") + " server.",
                  nullptr, true}
          .string(),
      SettingSpec{"port",
                  imap ? "Port; 0: 993 for imaps, 143 otherwise."
                       : "Port; 0: 465 for smtps, 587 for starttls, 25 for none.",
                  0}
          .integer(0, 65535),
      SettingSpec{"tls",
                  "\"" + implicit +
                      "\" (TLS from the start), \"starttls\" (upgrade, refused when the server "
                      "cannot) or \"none\".",
                  imap ? "imaps" : "starttls"}
          .one_of({implicit, "starttls", "none"}),
      SettingSpec{"verify_tls", "Verify the server's certificate and host name.", true}.boolean(),
      SettingSpec{"ca_file",
                  "PEM file of certificates to trust instead of the system's; empty: the system's.",
                  "", false, false, HostAccess::path}
          .string(),
      SettingSpec{"user", imap ? "Login name." : "Login name; empty: send without AUTH.",
                  imap ? nlohmann::json(nullptr) : nlohmann::json(""), imap}
          .string(),
      SettingSpec{"password", "Login password; use ${env:NAME}.", "", false, true}.string(),
      SettingSpec{"timeout_seconds", "Seconds one server round trip (or a whole message) may take.",
                  30}
          .number_above(0),
  };
}

MailEndpoint read_mail_endpoint(const ComponentEnv& env, MailProtocol protocol) {
  MailEndpoint e;
  e.protocol = protocol;
  e.host = di::string_setting(env, "host", "");
  if (e.host.empty() || e.host.find_first_of("/@?#[] \r\n") != std::string::npos) {
    throw ConfigError(cs::where(env), "host", "needs a host name or address");
  }
  const std::string implicit = implicit_word(protocol);
  const std::string tls =
      di::string_setting(env, "tls", protocol == MailProtocol::imap ? "imaps" : "starttls");
  if (tls == implicit) {
    e.tls = MailTls::implicit;
  } else if (tls == "starttls") {
    e.tls = MailTls::starttls;
  } else if (tls == "none") {
    e.tls = MailTls::none;
  } else {
    throw ConfigError(cs::where(env), "tls",
                      "must be \"" + implicit + "\", \"starttls\" or \"none\"");
  }
  const std::int64_t port = cs::integer(env, "port", 0, 0);
  if (port > 65535) throw ConfigError(cs::where(env), "port", "must be at most 65535");
  e.port = port == 0 ? default_port(protocol, e.tls) : static_cast<int>(port);
  e.verify_tls = di::bool_setting(env, "verify_tls", true);
  e.ca_file = di::string_setting(env, "ca_file", "");
  e.user = di::string_setting(env, "user", "");
  if (protocol == MailProtocol::imap && e.user.empty()) {
    throw ConfigError(cs::where(env), "user", "needs the login name");
  }
  e.password = di::string_setting(env, "password", "");
  if (!e.password.empty()) e.secrets.push_back(e.password);
  const double seconds = cs::number(env, "timeout_seconds", 30, 0.001);
  e.timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  return e;
}

namespace {

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<MailUpload*>(user);
  const std::size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::copy_n(upload->data->data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

}  // namespace

void set_mail_upload(CURL* h, MailUpload& upload) {
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.data->size()));
}

size_t keep_last_mail_line(char* data, size_t size, size_t count, void* line) {
  std::string text(data, size * count);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!text.empty()) *static_cast<std::string*>(line) = text.substr(0, 300);
  return size * count;
}

void apply_mail_endpoint(CURL* h, const MailEndpoint& e) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
                   e.protocol == MailProtocol::imap ? "imap,imaps" : "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(e.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(e.timeout.count()));
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   e.tls == MailTls::none ? static_cast<long>(CURLUSESSL_NONE)
                                          : static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, e.verify_tls ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, e.verify_tls ? 2L : 0L);
  if (!e.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, e.ca_file.c_str());
  if (!e.user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, e.user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, e.password.c_str());
  }
}

}  // namespace databus
