// The SMTP pusher against the test SMTP server (fixture `databus_mail`),
// read back over IMAP from the same mailbox.
#include "components/mail/smtp_pusher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "components/mail/imap_puller.h"
#include "components/mail/mail_test_server.h"
#include "databus/error.h"

namespace databus {
namespace {

using testing::HasSubstr;
using testing::Not;

class SmtpPusherTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ = MailTestServer::load();
    folder_ = server_.new_folder();
  }
  ComponentEnv env(const char* module, nlohmann::json settings) {
    return ComponentEnv{"acme", kEmailPassengerModule, module, std::move(settings), {}};
  }
  DriveContext context() {
    return DriveContext("acme", passenger_, log_, [] {
      Passenger p;
      p.passenger_module = kEmailPassengerModule;
      return p;
    });
  }
  QueueEntry entry() {
    Passenger p;
    p.external_id = "ORDER-7";
    p.internal_id = "0f5a3c5e-0000-4000-8000-000000000007";
    p.source_system = "erp";
    p.add_attachment("_body.txt", AttachmentFormat::text, "Order 7 attached.");
    p.add_attachment("order.json", AttachmentFormat::text, "{\"id\": 7}\n");
    p.add_attachment("label.png", AttachmentFormat::binary, std::string("\x89PNG\0\r\n\xff", 8));
    return QueueEntry::seat(p, {}, {kSmtpPusherModule});
  }

  MailTestServer server_;
  std::string folder_;
  ClientPassenger passenger_;
  Log log_;
};

TEST_F(SmtpPusherTest, SendsThePassengerWithItsAttachments) {
  nlohmann::json settings = server_.smtp_settings(folder_);
  settings["subject"] = "Order {external_id} from {source_system}";
  SmtpPusher pusher(env(kSmtpPusherModule, settings));
  DriveContext ctx = context();
  QueueEntry sent = entry();
  pusher.push(ctx, sent);
  ASSERT_EQ(server_.count(folder_), 1u);  // Delivered before the 250 answer.

  ImapPuller puller(env(kImapPullerModule, server_.imap_settings(folder_)));
  const std::vector<Passenger> got = puller.pull(ctx);
  ASSERT_EQ(got.size(), 1u);
  const Passenger& p = got[0];
  EXPECT_EQ(p.external_id, "<0f5a3c5e-0000-4000-8000-000000000007@databus>");
  ASSERT_NE(p.find_attachment("_body.txt"), nullptr);
  EXPECT_EQ(p.find_attachment("_body.txt")->content, "Order 7 attached.");
  ASSERT_NE(p.find_attachment("order.json"), nullptr);
  EXPECT_EQ(p.find_attachment("order.json")->content, "{\"id\": 7}\n");
  EXPECT_EQ(p.find_attachment("order.json")->format, AttachmentFormat::text);
  ASSERT_NE(p.find_attachment("label.png"), nullptr);
  EXPECT_EQ(p.find_attachment("label.png")->content, std::string("\x89PNG\0\r\n\xff", 8));
  EXPECT_EQ(p.find_attachment("label.png")->format, AttachmentFormat::binary);
  const nlohmann::json headers = nlohmann::json::parse(p.find_attachment("_headers.json")->content);
  EXPECT_EQ(headers["Subject"], "Order ORDER-7 from erp");
  EXPECT_EQ(headers["X-Databus-Internal-Id"], "0f5a3c5e-0000-4000-8000-000000000007");
}

TEST_F(SmtpPusherTest, AWrongPasswordThrowsWithoutShowingIt) {
  nlohmann::json settings = server_.smtp_settings(folder_);
  settings["password"] = "wrong-pass-0815";
  SmtpPusher pusher(env(kSmtpPusherModule, settings));
  DriveContext ctx = context();
  QueueEntry e = entry();
  try {
    pusher.push(ctx, e);
    FAIL() << "push with a wrong password succeeded";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("smtp://127.0.0.1"));
    EXPECT_THAT(error.what(), Not(HasSubstr("wrong-pass-0815")));
  }
  EXPECT_EQ(server_.count(folder_), 0u);
}

TEST_F(SmtpPusherTest, RefusesToSendWithoutTlsWhenTheServerWantsIt) {
  nlohmann::json settings = server_.smtp_settings(folder_);
  settings["tls"] = "none";  // The server requires STARTTLS before AUTH and MAIL.
  SmtpPusher pusher(env(kSmtpPusherModule, settings));
  DriveContext ctx = context();
  QueueEntry e = entry();
  EXPECT_THROW(pusher.push(ctx, e), Error);
  EXPECT_EQ(server_.count(folder_), 0u);
}

}  // namespace
}  // namespace databus
