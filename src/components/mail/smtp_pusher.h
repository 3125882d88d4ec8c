// "databus.pusher.smtp": sends each passenger as an e-mail with its
// attachments (email_writer.h) over SMTP (libcurl). Settings:
// mail_endpoint.h's (tls default "starttls"; user empty: no AUTH), and from,
// to, subject, body_attachment (see smtp_pusher_spec()).
#pragma once

#include <string>
#include <vector>

#include "components/mail/email_writer.h"
#include "components/mail/mail_endpoint.h"
#include "databus/pusher.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kSmtpPusherModule[] = "databus.pusher.smtp";

// push() sends one message to every address of `to`. The server accepting
// it (a 2xx answer to the end of DATA) completes the step; a refusal of the
// sender, a recipient or the message, or a transport error throws Error
// naming the server (the step is retried at the next drive). The
// Message-ID is "<internal id>@databus", the same for a repeated push, so a
// receiver can recognise a duplicate sent after a crash.
class SmtpPusher : public Pusher {
 public:
  // Throws ConfigError naming the setting for a bad value (a from or to
  // without an address included).
  explicit SmtpPusher(const ComponentEnv& env);
  void push(DriveContext& ctx, QueueEntry& entry) override;

 private:
  std::string module_;
  MailEndpoint endpoint_;
  OutgoingEmail mail_;  // subject holds the template.
};

ComponentSpec smtp_pusher_spec();

namespace smtp_internal {

// `subject_template` with {external_id}, {internal_id}, {source_system},
// {passenger_module} and {subject} (the Subject of the passenger's
// _headers.json, "" without one) replaced; other text is kept as written.
std::string subject_for(const std::string& subject_template, const Passenger& passenger);

// Sends `email` through `endpoint`. Throws Error as push() describes.
void send_email(const MailEndpoint& endpoint, const WrittenEmail& email);

}  // namespace smtp_internal

}  // namespace databus
