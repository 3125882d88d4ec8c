// The mail connectors' settings, as config.json gives them through the
// registry (no server needed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "components/mail/imap_puller.h"
#include "components/mail/smtp_pusher.h"
#include "databus/builtins.h"
#include "databus/error.h"

namespace databus {
namespace {

using testing::HasSubstr;
using testing::Not;

class MailSettingsTest : public testing::Test {
 protected:
  std::unique_ptr<Puller> puller(nlohmann::json settings) {
    return registry_->make_puller(ComponentRef{kImapPullerModule, std::move(settings)}, env());
  }
  std::unique_ptr<Pusher> pusher(nlohmann::json settings) {
    return registry_->make_pusher(ComponentRef{kSmtpPusherModule, std::move(settings)}, env());
  }
  static ComponentEnv env() { return ComponentEnv{"acme", kEmailPassengerModule, "", {}, {}}; }
  // The message of the ConfigError `make` throws, or "" when it throws none.
  template <typename F>
  static std::string config_error(F make) {
    try {
      make();
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  std::shared_ptr<Registry> registry_ = builtin_registry();
  const nlohmann::json imap_ = {
      {"host", "mail.example.com"}, {"user", "u"}, {"done_folder", "Done"}};
  const nlohmann::json smtp_ = {
      {"host", "mail.example.com"}, {"from", "bus@example.com"}, {"to", {"ops@example.com"}}};
};

TEST_F(MailSettingsTest, RegistersPassengerPullerAndPusher) {
  EXPECT_NE(registry_->find(ComponentKind::passenger, kEmailPassengerModule), nullptr);
  EXPECT_NE(registry_->find(ComponentKind::puller, kImapPullerModule), nullptr);
  EXPECT_NE(registry_->find(ComponentKind::pusher, kSmtpPusherModule), nullptr);
  EXPECT_EQ(registry_->make_passenger(kEmailPassengerModule).passenger_module,
            kEmailPassengerModule);
  EXPECT_NE(puller(imap_), nullptr);
  EXPECT_NE(pusher(smtp_), nullptr);
}

TEST_F(MailSettingsTest, ImapPullerRefusesBadSettingsNamingTheKey) {
  nlohmann::json s = imap_;
  s.erase("host");
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("host"));
  s = imap_;
  s["tls"] = "ssl";
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("tls"));
  s = imap_;
  s["flag"] = "$Databus";  // Both done_folder and flag.
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("done_folder"));
  s = imap_;
  s.erase("done_folder");  // Neither.
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("done_folder"));
  s = imap_;
  s["done_folder"] = "INBOX";
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("done_folder"));
  s = imap_;
  s.erase("done_folder");
  s["flag"] = "bad flag";
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("flag"));
  s = imap_;
  s["port"] = 70000;
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("port"));
  s = imap_;
  s["max_messages"] = 0;
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("max_messages"));
  s = imap_;
  s["colour"] = "red";
  EXPECT_THAT(config_error([&] { puller(s); }), HasSubstr("colour"));
}

TEST_F(MailSettingsTest, PasswordComesFromTheEnvironmentAndIsSecret) {
  ::setenv("DATABUS_MAIL_SETTINGS_TEST_PW", "s3cret-value", 1);
  nlohmann::json s = imap_;
  s["password"] = "${env:DATABUS_MAIL_SETTINGS_TEST_PW}";
  EXPECT_NE(puller(s), nullptr);
  const ComponentSpec* spec = registry_->find(ComponentKind::puller, kImapPullerModule);
  ASSERT_NE(spec, nullptr);
  for (const SettingSpec& setting : spec->settings) {
    EXPECT_EQ(setting.secret, setting.key == "password") << setting.key;
  }
  s["password"] = "${env:DATABUS_MAIL_SETTINGS_TEST_UNSET}";
  const std::string error = config_error([&] { puller(s); });
  EXPECT_THAT(error, HasSubstr("DATABUS_MAIL_SETTINGS_TEST_UNSET"));
  EXPECT_THAT(error, Not(HasSubstr("s3cret-value")));
}

TEST_F(MailSettingsTest, EndpointDefaultsFollowTheTlsMode) {
  const ComponentEnv base{"acme", kEmailPassengerModule, kImapPullerModule, imap_, {}};
  EXPECT_EQ(read_mail_endpoint(base, MailProtocol::imap).base_url(),
            "imaps://mail.example.com:993");
  ComponentEnv e = base;
  e.settings["tls"] = "starttls";
  EXPECT_EQ(read_mail_endpoint(e, MailProtocol::imap).base_url(), "imap://mail.example.com:143");
  e.settings = smtp_;
  EXPECT_EQ(read_mail_endpoint(e, MailProtocol::smtp).base_url(), "smtp://mail.example.com:587");
  e.settings["tls"] = "smtps";
  e.settings["host"] = "::1";
  EXPECT_EQ(read_mail_endpoint(e, MailProtocol::smtp).base_url(), "smtps://[::1]:465");
  e.settings["tls"] = "imaps";  // An IMAP word for SMTP.
  EXPECT_THROW(read_mail_endpoint(e, MailProtocol::smtp), ConfigError);
}

TEST_F(MailSettingsTest, SmtpPusherRefusesAddresslessSenderOrRecipients) {
  nlohmann::json s = smtp_;
  s["from"] = "nobody";
  EXPECT_THAT(config_error([&] { pusher(s); }), HasSubstr("from"));
  s = smtp_;
  s["to"] = {"ops@example.com", "nobody"};
  EXPECT_THAT(config_error([&] { pusher(s); }), HasSubstr("to"));
  s = smtp_;
  s["to"] = nlohmann::json::array();
  EXPECT_THAT(config_error([&] { pusher(s); }), HasSubstr("to"));
}

TEST(MailInternalTest, FlagsSearchKeysAndSubjects) {
  EXPECT_EQ(imap_internal::flag_search_key("\\Seen"), "SEEN");
  EXPECT_EQ(imap_internal::flag_search_key("\\flagged"), "FLAGGED");
  EXPECT_EQ(imap_internal::flag_search_key("$Databus"), "KEYWORD $Databus");
  EXPECT_THROW(imap_internal::flag_search_key("\\Deleted"), Error);
  EXPECT_THROW(imap_internal::flag_search_key("a b"), Error);
  EXPECT_EQ(imap_internal::quoted("My \"Done\" \\ x"), "\"My \\\"Done\\\" \\\\ x\"");
  EXPECT_THROW(imap_internal::quoted("a\r\nb"), Error);
  EXPECT_EQ(imap_internal::uid_set({3, 5, 9}), "3,5,9");
  EXPECT_EQ(imap_internal::parse_search("* SEARCH 7 2 3\r\n* OK x\r\n* SEARCH\r\n"),
            (std::vector<std::uint32_t>{2, 3, 7}));

  Passenger p;
  p.external_id = "<a@b>";
  p.source_system = "imap";
  p.add_attachment("_headers.json", AttachmentFormat::text, R"({"Subject": "Q3\nnumbers"})");
  EXPECT_EQ(smtp_internal::subject_for("Fwd: {subject} [{source_system} {external_id}] {x}", p),
            "Fwd: Q3 numbers [imap <a@b>] {x}");
}

}  // namespace
}  // namespace databus
