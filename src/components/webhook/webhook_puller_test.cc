#include "components/webhook/webhook_puller.h"

#include <gtest/gtest.h>

#include "databus/builtins.h"
#include "databus/error.h"

namespace databus {
namespace {

ComponentEnv env(nlohmann::json settings) {
  return ComponentEnv{"acme", "test.hook", kWebhookPullerModule, std::move(settings), {}};
}

TEST(WebhookPullerTest, SettingsAreChecked) {
  EXPECT_THROW(read_webhook_settings(env(nlohmann::json::object())), ConfigError);
  EXPECT_THROW(read_webhook_settings(env({{"token", "t"}, {"external_id_pointer", "id"}})),
               ConfigError);
  EXPECT_THROW(read_webhook_settings(env({{"token", "t"}, {"max_body_bytes", 0}})), ConfigError);
  EXPECT_THROW(
      read_webhook_settings(env({{"token", "t"}, {"max_body_bytes", kWebhookBodyCeiling + 1}})),
      ConfigError);
  const WebhookSettings s = read_webhook_settings(env({{"token", "t"}}));
  EXPECT_EQ(s.max_body_bytes, kWebhookDefaultMaxBody);
  EXPECT_EQ(s.source_system, "webhook");

  std::shared_ptr<Registry> registry = builtin_registry();
  const ComponentSpec* spec = registry->find(ComponentKind::puller, kWebhookPullerModule);
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->settings[0].secret);
  EXPECT_EQ(spec->settings[0].key, "token");
}

TEST(WebhookPullerTest, PullReturnsNothing) {
  WebhookPuller puller(env({{"token", "t"}}));
  ClientPassenger cp;
  Log log;
  DriveContext ctx("acme", cp, log, [] { return Passenger{}; });
  EXPECT_TRUE(puller.pull(ctx).empty());
  EXPECT_TRUE(puller.peek(ctx).empty());
}

TEST(WebhookPullerTest, BodiesBecomeAttachmentsWithAnExternalId) {
  WebhookSettings s;
  s.token = "t";
  WebhookRequest json_body{"application/json", R"({"order": {"no": 42}})"};
  Passenger a;
  webhook_passenger(s, json_body, a);
  ASSERT_EQ(a.attachments.size(), 1u);
  EXPECT_EQ(a.attachments[0].name, "body.json");
  EXPECT_EQ(a.attachments[0].format, AttachmentFormat::text);
  EXPECT_TRUE(a.external_id.starts_with("blake2b:"));

  Passenger same;
  webhook_passenger(s, json_body, same);
  EXPECT_EQ(same.external_id, a.external_id);

  s.external_id_pointer = "/order/no";
  Passenger pointed;
  webhook_passenger(s, json_body, pointed);
  EXPECT_EQ(pointed.external_id, "42");
  WebhookRequest without{"application/json", R"({"other": 1})"};
  Passenger missing;
  EXPECT_THROW(webhook_passenger(s, without, missing), std::invalid_argument);

  WebhookRequest header = json_body;
  header.external_id = "EXT-1";
  Passenger by_header;
  webhook_passenger(s, header, by_header);
  EXPECT_EQ(by_header.external_id, "EXT-1");

  const std::string png("\x89PNG\r\n\x1a\n\0\0", 10);
  WebhookRequest binary{"image/png", png};
  Passenger b;
  webhook_passenger(WebhookSettings{"t"}, binary, b);
  EXPECT_EQ(b.attachments[0].name, "body.png");
  EXPECT_EQ(b.attachments[0].format, AttachmentFormat::binary);
  // UTF-8 text declared as octet-stream stays binary: the sender said so.
  WebhookRequest octets{"application/octet-stream", "plain"};
  Passenger o;
  webhook_passenger(WebhookSettings{"t"}, octets, o);
  EXPECT_EQ(o.attachments[0].format, AttachmentFormat::binary);

  Passenger empty;
  EXPECT_THROW(webhook_passenger(WebhookSettings{"t"}, WebhookRequest{"text/plain", ""}, empty),
               std::invalid_argument);
}

TEST(WebhookPullerTest, MultipartFilesKeepTheirBaseNames) {
  WebhookRequest r;
  r.multipart = true;
  r.files = {{"../../etc/passwd", "text/plain", "root"},
             {"C:\\Users\\x\\report.csv", "text/csv", "a;b"},
             {"report.csv", "application/octet-stream", std::string("\0\1", 2)}};
  r.form_fields = {{"order", "7"}};
  Passenger p;
  webhook_passenger(WebhookSettings{"t"}, r, p);
  ASSERT_EQ(p.attachments.size(), 4u);
  EXPECT_EQ(p.attachments[0].name, "form.json");
  EXPECT_EQ(p.attachments[1].name, "passwd");
  EXPECT_EQ(p.attachments[2].name, "report.csv");
  EXPECT_EQ(p.attachments[2].format, AttachmentFormat::text);
  EXPECT_EQ(p.attachments[3].name, "report (2).csv");
  EXPECT_EQ(p.attachments[3].format, AttachmentFormat::binary);
  // A different file set is a different passenger.
  Passenger q;
  r.files.pop_back();
  webhook_passenger(WebhookSettings{"t"}, r, q);
  EXPECT_NE(p.external_id, q.external_id);
}

}  // namespace
}  // namespace databus
