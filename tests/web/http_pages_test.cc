// The HTML pages render for their roles, carry the system alias and CSRF
// tokens, and their forms do what they say.

#include <regex>

#include <gmock/gmock.h>

#include "databus/attachment_content.h"
#include "databus/uuid.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string csrf_of(const std::string& html) {
  std::smatch m;
  static const std::regex re("name=\"csrf\" value=\"([0-9a-f]{64})\"");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

TEST_F(WebTest, EveryPageRendersWithTheAliasForRoot) {
  const std::string id = drive_demo();
  dispatcher_->database().write_log("demo", Log());
  Browser b = logged_in("root", "root", "root");
  const std::string guid = dispatcher_->database().list_logs("demo")[0].guid;
  for (const std::string& page :
       {std::string("/c/demo/dashboard"), std::string("/c/demo/passengers"),
        "/c/demo/peek/" + std::string(kPassenger1), std::string("/c/demo/queue"),
        "/c/demo/queue/" + id, "/c/demo/queue/" + id + "/attachments/puller1_file1.txt?view=1",
        std::string("/c/demo/logs"), "/c/demo/logs/" + guid, std::string("/c/demo/users"),
        std::string("/c/demo/customizing"), std::string("/c/demo/customizing/__databus__"),
        std::string("/c/root/customizing/__clients__"), std::string("/c/demo/export"),
        std::string("/about"), std::string("/system")}) {
    auto res = b.get(page);
    ASSERT_TRUE(res) << page;
    EXPECT_EQ(res->status, 200) << page << res->body;
    EXPECT_THAT(res->body, HasSubstr("TEST &lt;b&gt;alias&lt;/b&gt;")) << page;
    EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("text/html")) << page;
    EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY") << page;
  }
  auto login = b.get("/login");
  ASSERT_TRUE(login);
  EXPECT_THAT(login->body, HasSubstr("TEST &lt;b&gt;alias&lt;/b&gt;"));
  auto css = b.get("/assets/style.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
}

TEST_F(WebTest, OperatorPagesHaveNoChangeButtons) {
  const std::string id = drive_demo();
  Browser b = logged_in("demo", "viewer", "viewer-pass");
  auto entry = b.get("/c/demo/queue/" + id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->status, 200);
  EXPECT_THAT(entry->body, Not(HasSubstr("/status\"")));
  auto passengers = b.get("/c/demo/passengers");
  ASSERT_TRUE(passengers);
  EXPECT_THAT(passengers->body, Not(HasSubstr("Expedite")));
  EXPECT_THAT(passengers->body, Not(HasSubstr("href=\"/system\"")));
  auto system = b.get("/system");
  ASSERT_TRUE(system);
  EXPECT_EQ(system->status, 403);
}

TEST_F(WebTest, PageLoginFlipAndCustomizingForms) {
  const std::string id = drive_demo();
  Browser b = browser();
  auto login = b.form_login("demo", "demo", "demo", "https://evil.example/");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 303);
  EXPECT_EQ(login->get_header_value("Location"), "/c/demo/dashboard");  // Not off-site.

  auto entry = b.get("/c/demo/queue/" + id);
  ASSERT_TRUE(entry);
  const std::string csrf = csrf_of(entry->body);
  ASSERT_FALSE(csrf.empty());
  auto flip = b.post_form("/c/demo/queue/" + id + "/status",
                          {{"csrf", csrf},
                           {"step", "processor"},
                           {"module", "databus.processor.demo.demo_processor_1"},
                           {"status", "incomplete"}});
  ASSERT_TRUE(flip);
  EXPECT_EQ(flip->status, 303);
  EXPECT_EQ(dispatcher_->database().load_entry("demo", id)->processor_statuses[0].status,
            StepStatus::incomplete);
  auto after = b.get("/c/demo/queue/" + id);
  ASSERT_TRUE(after);
  EXPECT_THAT(after->body, HasSubstr("set to incomplete"));  // Flash message.

  auto bad = b.post_form("/c/demo/customizing/__databus__", {{"csrf", csrf}, {"text", "{oops"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 422);
  EXPECT_THAT(bad->body, HasSubstr("{oops"));  // The rejected text is kept for fixing.
  EXPECT_THAT(bad->body, HasSubstr("save-error"));
}

// Issue 18, point 3: a large attachment's page never holds its content; its
// download is streamed from the store's file, byte for byte.
TEST_F(WebTest, ALargeAttachmentIsOfferedForDownloadAndStreamed) {
  std::string bytes((2 << 20) + 5, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>('a' + i % 23);
  Passenger p;
  p.external_id = "BIG";
  p.internal_id = new_uuid();
  p.source_system = "DEMO_SYSTEM";
  p.passenger_module = kPassenger1;
  p.puller_module = "databus.puller.demo.demo_puller_1";
  p.pull_datetime = Clock::now();
  {
    AttachmentWriter writer(SpoolSettings{dir_ / "spool", 64 << 10}, "big.txt",
                            AttachmentFormat::text);
    writer.write(bytes);
    p.add_attachment(writer.finish());
  }
  const QueueEntry e = QueueEntry::seat(p, {}, {"databus.pusher.demo.demo_pusher_1"});
  dispatcher_->database().insert_entries("demo", std::span(&e, 1));

  Browser b = logged_in("demo", "demo", "demo");
  const std::string url = "/c/demo/queue/" + p.internal_id + "/attachments/big.txt";
  auto page = b.get(url + "?view=1");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body,
              HasSubstr("Large attachment, " + std::to_string(bytes.size()) + " bytes"));
  EXPECT_THAT(page->body, Not(HasSubstr(bytes.substr(0, 64))));
  auto download = b.get(url);
  ASSERT_TRUE(download);
  EXPECT_EQ(download->status, 200);
  EXPECT_TRUE(download->body == bytes) << download->body.size() << " bytes";
  EXPECT_THAT(download->get_header_value("Content-Disposition"), HasSubstr("attachment;"));
  auto entry = b.get("/api/v1/clients/demo/queue/" + p.internal_id);
  ASSERT_TRUE(entry);
  EXPECT_THAT(entry->body, HasSubstr("\"size\": " + std::to_string(bytes.size())));
}

}  // namespace
}  // namespace databus::web::testing
