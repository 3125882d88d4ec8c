// Alerts to databus.pusher.smtp (docs/configuration.md "Alerts") through the
// test mail server: a pusher that always fails, max_attempts 1, and the
// alert of its quarantine arrives in the operations mailbox.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "components/mail/email_reader.h"
#include "components/mail/mail_test_server.h"
#include "databus/builtins.h"
#include "databus/dispatcher.h"
#include "databus/puller.h"
#include "databus/pusher.h"
#include "databus/uuid.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kPassenger[] = "test.alert.orders";

// A new order at every pull: ORDER-1, ORDER-2, ...
class OnePuller : public Puller {
 public:
  explicit OnePuller(std::shared_ptr<int> pulled) : pulled_(std::move(pulled)) {}
  std::vector<Passenger> pull(DriveContext& ctx) override {
    return {ctx.new_passenger("ORDER-" + std::to_string(++*pulled_), "ERP", "test.alert.one")};
  }
  void notify(DriveContext&, const std::vector<Passenger>&) override {}

 private:
  std::shared_ptr<int> pulled_;
};

class DownPusher : public Pusher {
 public:
  void push(DriveContext&, QueueEntry&) override {
    throw std::runtime_error("ERP answered 503 Service Unavailable");
  }
};

TEST(AlertsMailTest, AQuarantineAlertArrivesInTheMailbox) {
  const MailTestServer server = MailTestServer::load();
  const std::string folder = server.new_folder();
  std::shared_ptr<Registry> registry = builtin_registry();
  registry->add_passenger(ComponentSpec{kPassenger, "orders", {}, {}});
  auto pulled = std::make_shared<int>(0);
  registry->add_puller(
      ComponentSpec{"test.alert.one", "one order", {}, {}},
      [pulled](const ComponentEnv&) { return std::make_unique<OnePuller>(pulled); });
  registry->add_pusher(ComponentSpec{"test.alert.down", "always fails", {}, {}},
                       [](const ComponentEnv&) { return std::make_unique<DownPusher>(); });

  json smtp = server.smtp_settings(folder);
  smtp["module"] = "databus.pusher.smtp";
  smtp["subject"] = "Databus alert: {external_id}";
  smtp["body_attachment"] = "alert.txt";
  const json config = {{"users", json::array()},
                       {"passengers",
                        {{{"name", kPassenger},
                          {"pullers", {"test.alert.one"}},
                          {"pushers", {"test.alert.down"}},
                          {"retry", {{"max_attempts", 1}}}}}},
                       {"alerts", {{"pushers", {smtp}}, {"quiet_minutes", 60}}}};

  const fs::path data = fs::path(::testing::TempDir()) / ("alerts_mail_" + new_uuid());
  DispatcherTicket ticket;
  ticket.registry = registry;
  ticket.database_module = "memory";
  ticket.data_dir = data;
  ticket.run_web_server = false;
  ticket.create_default_clients = false;
  Dispatcher dispatcher(ticket);
  dispatcher.database().write_client_config_text("acme", config.dump(2));
  const Log log = dispatcher.drive_now("acme", kPassenger);
  EXPECT_NE(log.to_text().find("sent the step_quarantined"), std::string::npos) << log.to_text();

  ASSERT_EQ(server.count(folder), 1u);
  auto session = server.session();
  const std::vector<std::uint32_t> uids = session->search(folder, "ALL");
  ASSERT_EQ(uids.size(), 1u);
  const EmailContent mail = read_email(session->fetch(folder, uids[0]));
  EXPECT_THAT(mail.subject, HasSubstr("Databus alert: step_quarantined test.alert.down"));
  const Attachment* body = nullptr;
  const Attachment* alert_json = nullptr;
  for (const Attachment& a : mail.attachments) {
    if (a.name == "_body.txt") body = &a;
    if (a.name == "alert.json") alert_json = &a;
  }
  ASSERT_NE(body, nullptr);
  EXPECT_THAT(body->content, HasSubstr("client 'acme'"));
  EXPECT_THAT(body->content, HasSubstr("test.alert.down is quarantined"));
  EXPECT_THAT(body->content, HasSubstr("ERP answered 503"));
  ASSERT_NE(alert_json, nullptr);
  const json j = json::parse(alert_json->content);
  EXPECT_EQ(j.at("kind"), "step_quarantined");
  EXPECT_EQ(j.at("entry").at("external_id"), "ORDER-1");

  // ORDER-2 quarantined within the quiet period: no second mail.
  const Log second = dispatcher.drive_now("acme", kPassenger);
  EXPECT_NE(second.to_text().find("within the quiet period"), std::string::npos)
      << second.to_text();
  EXPECT_EQ(server.count(folder), 1u);
  fs::remove_all(data);
}

}  // namespace
}  // namespace databus
