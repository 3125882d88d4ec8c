// The HTTP puller against an HTTPS server (cpp-httplib's SSLServer) on
// loopback, with a self-signed certificate made by the openssl command for
// each test: verification (on by default) refuses it, ca_file trusts it.
#include <stdlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "components/http/http_components.h"
#include "databus/error.h"
#include "web/http.h"

namespace databus {
namespace {

using testing::HasSubstr;
using testing::Not;

class HttpTlsTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "databus_tls_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << "the openssl command failed: " << command;
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key_.c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->Get("/orders", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"([{"id": "T-1"}])", "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(server_->is_running());
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::vector<Passenger> pull(nlohmann::json settings) {
    HttpPuller puller(ComponentEnv{"acme", "test.http", "", std::move(settings), {}});
    ClientPassenger cp;
    DriveContext ctx("acme", cp, log_, [] { return Passenger{}; });
    return puller.pull(ctx);
  }
  std::string url() { return "https://127.0.0.1:" + std::to_string(port_) + "/orders"; }

  std::filesystem::path dir_;
  std::string cert_;
  std::string key_;
  std::unique_ptr<httplib::SSLServer> server_;
  int port_ = -1;
  std::thread thread_;
  Log log_;
};

TEST_F(HttpTlsTest, AnUntrustedCertificateIsRefusedByDefault) {
  try {
    pull({{"url", url()}, {"auth", "bearer"}, {"token", "tls-secret-1"}});
    FAIL() << "a self-signed certificate was accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(url()));
    EXPECT_THAT(e.what(), HasSubstr("ca_file"));
    EXPECT_THAT(e.what(), Not(HasSubstr("tls-secret-1")));
  }
}

TEST_F(HttpTlsTest, CaFileTrustsTheServer) {
  const std::vector<Passenger> got = pull({{"url", url()}, {"ca_file", cert_}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].external_id, "T-1");
  // Switching verification off also works (and is documented as a last resort).
  EXPECT_EQ(pull({{"url", url()}, {"verify_tls", false}}).size(), 1u);
}

}  // namespace
}  // namespace databus
