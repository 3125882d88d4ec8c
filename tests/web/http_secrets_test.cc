// Secrets written literally in config.json never reach the web interface:
// the customizing editor and the API show them masked, and a save with the
// mask unchanged keeps the stored value. Also: the page error mapping.

#include <stdlib.h>

#include <gmock/gmock.h>

#include "web/pages_common.h"
#include "web/secret_mask.h"
#include "web/web_state.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNode[] = "/api/v1/clients/vault/customizing/__databus__";

class SecretsTest : public WebTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(setenv("ERP_PASSWORD", "from-the-environment", 1), 0);  // Validation resolves it.
    WebTest::SetUp();
    dispatcher_->database().write_client_config_text("vault", config("pusher-secret-7c1").dump(2));
  }

  static json config(const std::string& pusher_token) {
    return json{{"log_life_span", 1},
                {"users",
                 {{{"username", "keeper"},
                   {"password", "keeper-pass-93"},
                   {"token", "keeper-token-5d"},
                   {"role", "administrator"}}}},
                {"passengers",
                 {{{"name", "databus.passenger.demo.demo_passenger_1"},
                   {"pullers",
                    {{{"module", "databus.puller.http"},
                      {"url", "http://127.0.0.1:9/orders"},
                      {"auth", "basic"},
                      {"username", "erp"},
                      {"password", "${env:ERP_PASSWORD}"}}}},
                   {"processors", json::array()},
                   {"pushers",
                    {{{"module", "databus.pusher.http"},
                      {"url", "http://127.0.0.1:9/in"},
                      {"auth", "bearer"},
                      {"token", pusher_token},
                      {"headers", {{"X-Api-Key", "header-secret-42"}}}}}},
                   {"sync_frequency", 600}}}}};
  }

  json stored() { return json::parse(dispatcher_->database().read_client_config_text("vault")); }
  static json& pusher(json& c) { return c["passengers"][0]["pushers"][0]; }
};

TEST_F(SecretsTest, TheApiAndTheEditorShowSecretsMasked) {
  Browser b = logged_in("vault", "keeper", "keeper-pass-93");
  auto api = b.get(kNode);
  ASSERT_TRUE(api);
  ASSERT_EQ(api->status, 200) << api->body;
  auto page = b.get("/c/vault/customizing/__databus__");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  for (const std::string& body : {api->body, page->body}) {
    for (const char* secret :
         {"pusher-secret-7c1", "header-secret-42", "keeper-pass-93", "keeper-token-5d"}) {
      EXPECT_THAT(body, Not(HasSubstr(secret)));
    }
    EXPECT_THAT(body, HasSubstr(kSecretMask));
    // A reference is no secret: it stays readable, as do plain settings.
    EXPECT_THAT(body, HasSubstr("${env:ERP_PASSWORD}"));
    EXPECT_THAT(body, HasSubstr("http://127.0.0.1:9/in"));
  }
}

TEST_F(SecretsTest, SavingTheMaskKeepsTheStoredSecret) {
  Browser b = logged_in("vault", "keeper", "keeper-pass-93");
  json shown = json::parse(json::parse(b.get(kNode)->body)["text"].get<std::string>());
  ASSERT_EQ(pusher(shown)["token"], kSecretMask);
  shown["log_life_span"] = 3;
  auto saved = b.post(kNode, {{"text", shown.dump(2)}});
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;
  json now = stored();
  EXPECT_EQ(now["log_life_span"], 3);
  EXPECT_EQ(pusher(now)["token"], "pusher-secret-7c1");
  EXPECT_EQ(pusher(now)["headers"]["X-Api-Key"], "header-secret-42");
  EXPECT_EQ(now["users"][0]["password"], "keeper-pass-93");
  EXPECT_EQ(now["users"][0]["token"], "keeper-token-5d");

  // A changed value replaces it; the session survives (same user token).
  pusher(shown)["token"] = "pusher-secret-new";
  saved = b.post(kNode, {{"text", shown.dump(2)}});
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;
  json after = stored();
  EXPECT_EQ(pusher(after)["token"], "pusher-secret-new");

  // The form of the page does the same.
  auto form =
      b.post_form("/c/vault/customizing/__databus__", {{"csrf", b.csrf}, {"text", shown.dump(2)}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 303) << form->body;
  after = stored();
  EXPECT_EQ(pusher(after)["token"], "pusher-secret-new");

  // A mask where nothing is stored cannot be saved.
  json extra = shown;
  extra["passengers"][0]["pushers"].push_back(
      {{"module", "databus.pusher.http"}, {"url", "http://x/"}, {"token", kSecretMask}});
  auto refused = b.post(kNode, {{"text", extra.dump(2)}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 422);
  EXPECT_THAT(refused->body, HasSubstr("masked"));
}

TEST_F(WebTest, PagesMapErrorsLikeTheApi) {
  WebState state(*dispatcher_, WebOptions{});
  httplib::Request req;
  req.method = "POST";
  httplib::Response config;
  page(state, [](const httplib::Request&, httplib::Response&) {
    throw ConfigError("config.json", "passengers", "is bad");
  })(req, config);
  EXPECT_EQ(config.status, 400);
  EXPECT_THAT(config.body, HasSubstr("is bad"));

  httplib::Response slow;
  page(state, [](const httplib::Request&, httplib::Response&) {
    throw HttpError(429, "too many attempts", 12);
  })(req, slow);
  EXPECT_EQ(slow.status, 429);
  EXPECT_EQ(slow.get_header_value("Retry-After"), "12");
}

}  // namespace
}  // namespace databus::web::testing
