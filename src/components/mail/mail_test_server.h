// The mail servers scripts/mail-test-server.sh starts for the tests (ctest
// fixture `databus_mail`), as the tests see them: connection data, settings
// for the connectors, and a way to put messages in and count them.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "components/mail/imap_session.h"

namespace databus {

struct MailTestServer {
  std::string host;
  int imap_port = 0;   // Plain IMAP, STARTTLS offered.
  int imaps_port = 0;  // IMAP over TLS.
  int smtp_port = 0;   // SMTP, STARTTLS and AUTH required.
  std::string user;
  std::string password;
  std::string ca_file;  // The servers' self-signed certificate.

  // Reads $DATABUS_MAIL_TEST_DIR/env. Throws std::runtime_error when the
  // fixture did not run.
  static MailTestServer load();

  // Settings of "databus.puller.imap" reading `folder` over IMAPS, trusting
  // ca_file, moving to `folder`-done.
  nlohmann::json imap_settings(const std::string& folder) const;
  // Settings of "databus.pusher.smtp" sending to the test user's `folder`.
  nlohmann::json smtp_settings(const std::string& folder) const;
  // The address delivering into `folder`.
  std::string address(const std::string& folder) const;

  // A session over IMAPS.
  std::unique_ptr<ImapSession> session() const;
  // A fresh folder of the test user, unique to the caller.
  std::string new_folder() const;
  // Adds `raw` to `folder` (IMAP APPEND), not \Seen, like a new message.
  void deliver(const std::string& folder, const std::string& raw) const;
  // The messages in `folder` not marked \Deleted; 0 for a missing folder.
  std::size_t count(const std::string& folder) const;
};

// A small message with `message_id` ("" for none) and `subject`.
std::string test_message(const std::string& message_id, const std::string& subject,
                         const std::string& body = "Hello.");

}  // namespace databus
