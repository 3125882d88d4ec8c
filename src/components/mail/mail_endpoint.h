// Where and how the mail connectors reach a server: the settings the IMAP
// puller and the SMTP pusher share (host, port, tls, verify_tls, ca_file,
// user, password, timeout_seconds), read once into a MailEndpoint, and the
// libcurl options that apply them.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "databus/component.h"
#include "databus/registry.h"

typedef void CURL;

namespace databus {

enum class MailProtocol { imap, smtp };

// "imaps"/"smtps": TLS from the first byte; "starttls": plain connection
// upgraded before login, refused when the server cannot; "none": no TLS.
enum class MailTls { implicit, starttls, none };

struct MailEndpoint {
  MailProtocol protocol = MailProtocol::imap;
  std::string host;
  int port = 0;  // Never 0 once read: the mode's standard port by default.
  MailTls tls = MailTls::implicit;
  bool verify_tls = true;
  std::string ca_file;   // Empty: the system's trusted certificates.
  std::string user;      // Empty: no login (SMTP only).
  std::string password;  // Secret.
  std::chrono::milliseconds timeout{30000};
  std::vector<std::string> secrets;  // Values never to show in messages.

  // "imaps://host:port", "smtp://[::1]:25", ... without a path.
  std::string base_url() const;
};

// The settings above as SettingSpecs, with this protocol's defaults.
std::vector<SettingSpec> mail_endpoint_settings(MailProtocol protocol);

// Reads the endpoint settings of `env`. Throws ConfigError naming the
// setting (never showing the password) for a missing host, a bad tls word,
// a port outside 1..65535, or a missing user where one is required (IMAP).
MailEndpoint read_mail_endpoint(const ComponentEnv& env, MailProtocol protocol);

// Sets on `handle` what the endpoint says: TLS mode and verification,
// ca_file, credentials, timeouts, the protocol allowed, no signals.
void apply_mail_endpoint(CURL* handle, const MailEndpoint& endpoint);

// A text libcurl sends (IMAP APPEND, SMTP DATA), from `offset` on.
struct MailUpload {
  const std::string* data;
  std::size_t offset = 0;
};

// Makes `handle` upload `upload`, which must outlive the transfer.
void set_mail_upload(CURL* handle, MailUpload& upload);

// A CURLOPT_HEADERFUNCTION keeping the last protocol line the server sent
// (its answer to the command, at most 300 characters, without CRLF) in the
// std::string given as CURLOPT_HEADERDATA.
size_t keep_last_mail_line(char* data, size_t size, size_t count, void* line);

}  // namespace databus
