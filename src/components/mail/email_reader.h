// Reading one raw e-mail (RFC 5322 / MIME bytes) into what an e-mail
// passenger ("databus.passenger.email") carries. Uses GMime.
#pragma once

#include <string>
#include <vector>

#include "databus/attachment.h"

namespace databus {

struct EmailContent {
  // The Message-ID as written, angle brackets included ("<abc@host>"); for
  // a message without one, "blake2b:<hex>", the BLAKE2b-256 digest of the
  // raw bytes, so the same message always gets the same id.
  std::string external_id;
  std::string subject;  // Decoded; for log messages.
  // In this order, names raw (Passenger::add_attachment cleanses them and
  // makes them unique, so a part named "_headers.json" cannot take the
  // place of ours):
  //  - "_body.txt": the first text/plain part that is not an attachment
  //    (no file name, disposition not "attachment"), if any;
  //  - "_body.html": the same for text/html;
  //  - "_headers.json": the message's headers as a JSON object, names as
  //    first written, values decoded to UTF-8; a repeated header (Received)
  //    gives an array of its values in order;
  //  - every other leaf part in message order, decoded (base64, quoted-
  //    printable): text/* parts converted to UTF-8 and stored as text,
  //    anything else (or text that is not valid UTF-8 afterwards) as binary.
  //    The name is the base name of the part's file name (anything up to the
  //    last '/' or '\' dropped), else "part<N>.<ext>" by content type. An
  //    attached message (message/rfc822) becomes "<name or message<N>>.eml".
  std::vector<Attachment> attachments;
};

// Throws Error when `raw` is not an e-mail message at all (GMime finds no
// message in it).
EmailContent read_email(const std::string& raw);

namespace email_internal {

// The file name part of `name`: everything after the last '/' or '\'.
std::string base_name(const std::string& name);

}  // namespace email_internal

}  // namespace databus
