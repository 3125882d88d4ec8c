// Input and output safety over HTTP: XSS payloads, path traversal, download
// headers, login throttling.

#include <fstream>

#include <gmock/gmock.h>

#include "databus/uuid.h"
#include "web/html.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kScript[] = "<script>alert(1)</script>";
constexpr char kAttachmentName[] = "\"><img src=x onerror=alert(1)>.txt";

class WebSafetyTest : public WebTest {
 protected:
  // Stores an entry whose external id, source and attachment name are XSS
  // payloads (a source system may send anything; the original's data
  // directories may hold any name).
  std::string insert_hostile_entry() {
    Passenger p;
    p.external_id = kScript;
    p.internal_id = new_uuid();
    p.source_system = "<b onmouseover=alert(2)>SRC</b>";
    p.passenger_module = kPassenger1;
    p.puller_module = "databus.puller.demo.demo_puller_1";
    p.pull_datetime = Clock::now();
    p.attachments.push_back(Attachment{kAttachmentName, AttachmentFormat::text, kScript});
    QueueEntry e = QueueEntry::seat(p, {"databus.processor.demo.demo_processor_1"},
                                    {"databus.pusher.demo.demo_pusher_1"});
    dispatcher_->database().insert_entries("demo", std::span<const QueueEntry>(&e, 1));
    return p.internal_id;
  }
};

TEST_F(WebSafetyTest, PayloadsAreEscapedOnEveryPage) {
  const std::string id = insert_hostile_entry();
  Browser b = logged_in("demo", "demo", "demo");
  const std::string name = url_encode(kAttachmentName);
  for (const std::string& page :
       {std::string("/c/demo/queue?passenger=") + kPassenger1 + "&search=%3Cscript%3E",
        "/c/demo/queue/" + id, "/c/demo/queue/" + id + "/attachments/" + name + "?view=1",
        std::string("/c/demo/passengers")}) {
    auto res = b.get(page);
    ASSERT_TRUE(res) << page;
    EXPECT_EQ(res->status, 200) << page << res->body;
    EXPECT_THAT(res->body, Not(HasSubstr("<script>alert"))) << page;
    EXPECT_THAT(res->body, Not(HasSubstr("<img src=x"))) << page;
    EXPECT_THAT(res->body, Not(HasSubstr("<b onmouseover"))) << page;
    EXPECT_THAT(res->body, Not(HasSubstr("<b>alias"))) << page;  // The alias is data too.
    EXPECT_THAT(res->get_header_value("Content-Security-Policy"), HasSubstr("script-src 'self'"));
  }
  auto entry = b.get("/c/demo/queue/" + id);
  ASSERT_TRUE(entry);
  EXPECT_THAT(entry->body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(entry->body, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.txt"));
}

TEST_F(WebSafetyTest, DownloadsAreAttachmentsWithSafeNamesAndNosniff) {
  const std::string id = insert_hostile_entry();
  Browser b = logged_in("demo", "demo", "demo");
  const std::string name = url_encode(kAttachmentName);
  for (const std::string& url :
       {"/c/demo/queue/" + id + "/attachments/" + name,
        "/api/v1/clients/demo/queue/" + id + "/attachments/" + name,
        "/api/v1/clients/demo/queue/" + id + "/attachments/" + name + "?inline=1"}) {
    auto res = b.get(url);
    ASSERT_TRUE(res) << url;
    ASSERT_EQ(res->status, 200) << url;
    EXPECT_EQ(res->body, kScript);
    const std::string disposition = res->get_header_value("Content-Disposition");
    // The quoted name keeps to a safe alphabet, so nothing escapes the quotes.
    // (httplib's client percent-decodes header values, so the filename*
    // part is seen decoded here.)
    EXPECT_THAT(disposition,
                HasSubstr("attachment; filename=\"___img src_x onerror_alert(1)_.txt\"; "))
        << disposition;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("text/plain"));
    EXPECT_THAT(res->get_header_value("Content-Security-Policy"), HasSubstr("sandbox"));
  }
}

TEST_F(WebSafetyTest, PathTraversalNeverLeavesTheDataDirectory) {
  const std::string id = drive_demo();
  // A file outside the data directory that a traversal would reach.
  std::ofstream(dir_ / "secret.txt") << "SECRET";
  Browser b = logged_in("root", "root", "root");
  const std::vector<std::string> attempts = {
      "/api/v1/clients/..%2F..%2Fsecret.txt/passengers",
      "/api/v1/clients/../passengers",
      "/api/v1/clients/..%2f/users",
      "/api/v1/clients/%2e%2e/users",
      "/api/v1/clients/demo/queue/..%2F..%2F..%2Fsecret.txt",
      "/api/v1/clients/demo/queue/" + id + "/attachments/..%2Fpassenger.json",
      "/api/v1/clients/demo/queue/" + id + "/attachments/..%2F..%2F..%2F..%2F..%2Fsecret.txt",
      "/api/v1/clients/demo/queue/" + id + "/attachments/..",
      "/api/v1/clients/demo/logs/..%2F..%2Fconfig.json",
      "/api/v1/clients/demo/customizing/..%2F..%2F..%2Fsecret.txt",
      "/api/v1/clients/demo/customizing/..",
      "/c/..%2F..%2Fsecret.txt/queue",
      "/c/demo/queue/" + id + "/attachments/..%2F..%2F..%2F..%2F..%2Fsecret.txt",
      "/c/demo/customizing/..%2F..%2Fsecret.txt",
  };
  for (const std::string& url : attempts) {
    auto res = b.get(url);
    ASSERT_TRUE(res) << url;
    EXPECT_TRUE(res->status == 400 || res->status == 404) << url << " -> " << res->status;
    EXPECT_THAT(res->body, Not(HasSubstr("SECRET"))) << url;
    EXPECT_THAT(res->body, Not(HasSubstr("\"passengers\":"))) << url;
  }
  // A customizing save to a traversing node name is refused and writes nothing.
  auto save = b.post("/api/v1/clients/demo/customizing/..%2F..%2Fsecret.txt", {{"text", "{}"}});
  ASSERT_TRUE(save);
  EXPECT_EQ(save->status, 404);
  std::ifstream in(dir_ / "secret.txt");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "SECRET");
  // Clients created through __clients__ are validated as ids.
  auto clients = b.post("/api/v1/clients/root/customizing/__clients__",
                        {{"text", R"({"clients": ["demo", "open", "root", "../../evil"]})"}});
  ASSERT_TRUE(clients);
  EXPECT_EQ(clients->status, 422);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "evil"));
}

TEST_F(WebSafetyTest, RepeatedFailedLoginsAreThrottledThenLocked) {
  server_.reset();
  LoginThrottlePolicy policy;
  policy.slow_after = 100;  // Only the lock matters here.
  policy.lock_after = 3;
  policy.lock_duration = std::chrono::seconds(600);
  WebOptions options;
  options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
  options.port = 0;
  options.throttle = policy;
  server_ = std::make_unique<WebServer>(*dispatcher_, options);
  server_->start();

  Browser b = browser();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.login("demo", "demo", "wrong"), 401);
  // Locked now, even with the right password.
  EXPECT_EQ(b.login("demo", "demo", "demo"), 429);
  httplib::Client raw("127.0.0.1", server_->port());
  auto locked =
      raw.Post("/api/v1/login", R"({"client": "demo", "username": "demo", "password": "demo"})",
               "application/json");
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  EXPECT_GT(std::stol(locked->get_header_value("Retry-After")), 500);
  // The address is locked as well, so guessing another user does not help.
  EXPECT_EQ(b.login("demo", "viewer", "viewer-pass"), 429);
}

}  // namespace
}  // namespace databus::web::testing
