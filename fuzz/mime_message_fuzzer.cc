// One raw e-mail as the IMAP puller fetches it (read_email, GMime): headers,
// MIME structure, transfer encodings, charsets, attached messages - all
// chosen by whoever sent the mail. Contracts checked: any bytes either read
// or throw databus::Error; every part it returns can be added to a
// passenger (names cleansed and made unique), and a part stored as text is
// valid UTF-8 without NUL bytes, as the queue's text attachments must be.
#include <cstddef>
#include <cstdint>
#include <string>

#include "components/directory/directory_components.h"
#include "components/mail/email_reader.h"
#include "databus/error.h"
#include "databus/passenger.h"
#include "fuzz_check.h"

using databus::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  databus::EmailContent mail;
  try {
    mail = databus::read_email(std::string(databus::fuzz::as_text(data, size)));
  } catch (const databus::Error&) {
    return 0;
  }
  check(!mail.external_id.empty(), "a read message has no external id");
  databus::Passenger passenger;
  for (databus::Attachment& part : mail.attachments) {
    check(part.format == databus::AttachmentFormat::binary ||
              databus::directory_internal::is_text(part.content),
          "part '" + part.name + "' is stored as text but is not UTF-8 without NUL bytes");
    const std::string name = passenger.add_attachment(std::move(part));
    check(!name.empty(), "a part was stored without a name");
  }
  check(passenger.attachments.size() == mail.attachments.size(), "a part was lost");
  return 0;
}
