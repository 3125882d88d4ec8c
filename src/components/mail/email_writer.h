// Writing a passenger as one MIME e-mail (RFC 5322 bytes with CRLF line
// ends, ready for SMTP). Uses GMime.
#pragma once

#include <string>
#include <vector>

#include "databus/passenger.h"

namespace databus {

struct OutgoingEmail {
  std::string from;             // "Name <addr>" or "addr".
  std::vector<std::string> to;  // Same forms; at least one.
  std::string subject;          // Any UTF-8; encoded as RFC 2047 when needed.
  std::string message_id;       // Without angle brackets.
  // The attachment that becomes the message text (text/html when its name
  // ends with ".html", else text/plain) instead of being attached; empty or
  // absent from the passenger: a one-line text naming the passenger.
  std::string body_attachment;
};

struct WrittenEmail {
  std::string raw;                      // The message.
  std::string envelope_from;            // The address of `from`.
  std::vector<std::string> recipients;  // The addresses of `to`.
};

// The passenger's attachments (but the body) become parts with their names
// as file names, base64-encoded: text ones as text/plain; charset=utf-8,
// binary ones as application/octet-stream. Headers: From, To, Subject, Date,
// Message-ID, MIME-Version and X-Databus-Internal-Id. Throws Error when
// `from` or an element of `to` holds no address.
WrittenEmail write_email(const Passenger& passenger, const OutgoingEmail& mail);

}  // namespace databus
