// HTTPS: --tls-cert/--tls-key serve TLS, and the session cookie is Secure.

#include <gmock/gmock.h>

#include "test_paths.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(WebTest, ServesHttpsWithSecureCookies) {
  server_.reset();
  WebOptions options;
  options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
  options.port = 0;
  options.tls_cert = DATABUS_SOURCE_DIR "/tests/web/fixtures/test_cert.pem";
  options.tls_key = DATABUS_SOURCE_DIR "/tests/web/fixtures/test_key.pem";
  server_ = std::make_unique<WebServer>(*dispatcher_, options);
  server_->start();

  httplib::SSLClient client("127.0.0.1", server_->port());
  client.set_ca_cert_path(options.tls_cert.c_str());
  client.enable_server_certificate_verification(true);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_THAT(health->get_header_value("Strict-Transport-Security"), HasSubstr("max-age"));

  auto login =
      client.Post("/api/v1/login", R"({"client": "demo", "username": "demo", "password": "demo"})",
                  "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200);
  EXPECT_THAT(login->get_header_value("Set-Cookie"), HasSubstr("; Secure"));

  // Plain HTTP to the TLS port gets nowhere.
  httplib::Client plain("127.0.0.1", server_->port());
  plain.set_connection_timeout(std::chrono::seconds(5));
  plain.set_read_timeout(std::chrono::seconds(5));
  auto res = plain.Get("/healthz");
  EXPECT_FALSE(res && res->status == 200);
}

TEST_F(WebTest, MissingTlsFilesAreAStartupError) {
  server_.reset();
  WebOptions options;
  options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
  options.port = 0;
  options.tls_cert = dir_ / "missing_cert.pem";
  options.tls_key = dir_ / "missing_key.pem";
  WebServer server(*dispatcher_, options);
  EXPECT_THROW(server.start(), Error);
  options.tls_key.clear();
  WebServer half(*dispatcher_, options);
  EXPECT_THROW(half.start(), ConfigError);
}

}  // namespace
}  // namespace databus::web::testing
