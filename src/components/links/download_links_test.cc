// databus.processor.download_links against a real cpp-httplib server on a
// free loopback port: what it downloads, and what it refuses.
#include "components/links/download_links.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "databus/builtins.h"
#include "databus/error.h"
#include "registry/host_access.h"
#include "web/http.h"

namespace databus {
namespace {

using testing::HasSubstr;

class DownloadLinksTest : public testing::Test {
 protected:
  void SetUp() override {
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    server_.Get("/files/report.pdf", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string("%PDF\0\xff", 6), "application/pdf");
    });
    server_.Get("/files/notes", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("plain notes", "text/plain");
    });
    server_.Get("/files/big.bin", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(4096, 'x'), "application/octet-stream");
    });
    server_.Get("/files/missing.pdf", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("no", "text/plain");
    });
    server_.Get("/files/slow.pdf", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "application/pdf");
    });
    server_.Get("/count", [this](const httplib::Request&, httplib::Response& res) {
      ++hits_;
      res.set_content("x", "text/plain");
    });
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(server_.is_running());
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  QueueEntry entry(const std::string& html) {
    Passenger p;
    p.external_id = "M-1";
    p.internal_id = "0f5a3c5e-0000-4000-8000-000000000001";
    p.add_attachment("mail.html", AttachmentFormat::text, html);
    return QueueEntry::seat(p, {kDownloadLinksModule}, {});
  }
  void process(nlohmann::json settings, QueueEntry& e) {
    auto processor = registry_->make_processor(ComponentRef{kDownloadLinksModule, settings},
                                               ComponentEnv{"acme", "test.links"});
    DriveContext ctx("acme", passenger_, log_, [] { return Passenger{}; });
    processor->process(ctx, e);
  }
  std::string failure(nlohmann::json settings, QueueEntry& e) {
    try {
      process(std::move(settings), e);
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  }

  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::atomic<int> hits_{0};
  std::shared_ptr<Registry> registry_ = builtin_registry();
  ClientPassenger passenger_;
  Log log_;
};

TEST(DownloadLinksInternalTest, FindsHrefSrcAndBareLinksOnceEach) {
  const auto links = links_internal::find_links(
      "<a href=\"https://x.example/a?b=1&amp;c=2\">a</a> <img SRC='http://x.example/i.png'> "
      "see https://x.example/t.txt and mailto:me@x.example, ftp://x.example/f, again "
      "<a href=\"http://x.example/i.png\">");
  EXPECT_EQ(links, (std::vector<std::string>{"https://x.example/a?b=1&c=2",
                                             "http://x.example/i.png", "https://x.example/t.txt"}));
  EXPECT_EQ(links_internal::download_name("http://h/a/report.pdf?x=1", ""), "report.pdf");
  EXPECT_EQ(links_internal::download_name("http://h/", "text/csv"), "download.csv");
  EXPECT_EQ(links_internal::download_name("http://h", "application/pdf"), "download.pdf");
}

TEST_F(DownloadLinksTest, DownloadsTheMatchingLinksAsAttachments) {
  QueueEntry e = entry("<a href=\"" + url("/files/report.pdf") + "\">r</a> <a href=\"" +
                       url("/files/notes") + "\">n</a> <a href=\"" + url("/count") + "\">c</a>");
  process({{"allow_private", true}, {"pattern", "/files/"}}, e);
  const Attachment* pdf = e.passenger.find_attachment("report.pdf");
  ASSERT_NE(pdf, nullptr);
  EXPECT_EQ(pdf->format, AttachmentFormat::binary);
  EXPECT_EQ(pdf->content, std::string("%PDF\0\xff", 6));
  const Attachment* notes = e.passenger.find_attachment("notes");
  ASSERT_NE(notes, nullptr);
  EXPECT_EQ(notes->format, AttachmentFormat::text);
  EXPECT_EQ(notes->content, "plain notes");
  EXPECT_EQ(hits_.load(), 0);  // Not matching the pattern: never fetched.
  EXPECT_EQ(e.passenger.attachments.size(), 3u);
}

TEST_F(DownloadLinksTest, RefusesLoopbackAndPrivateAddressesUnlessAllowed) {
  QueueEntry e = entry("<a href=\"" + url("/count") + "\">c</a>");
  EXPECT_THAT(failure(nlohmann::json::object(), e), HasSubstr("allow_private is off"));
  QueueEntry by_name = entry("<a href=\"http://localhost:" + std::to_string(port_) + "/count\">");
  EXPECT_THAT(failure(nlohmann::json::object(), by_name), HasSubstr("allow_private is off"));
  EXPECT_EQ(hits_.load(), 0);
  EXPECT_EQ(e.passenger.attachments.size(), 1u);
}

TEST_F(DownloadLinksTest, RefusesHostsOutsideAllowedHostsBeforeConnecting) {
  QueueEntry e = entry("<a href=\"" + url("/count") + "\">c</a>");
  EXPECT_THAT(failure({{"allow_private", true}, {"allowed_hosts", {"files.example.com"}}}, e),
              HasSubstr("not among allowed_hosts"));
  EXPECT_EQ(hits_.load(), 0);
  process({{"allow_private", true}, {"allowed_hosts", {"127.0.0.1"}}}, e);
  EXPECT_EQ(hits_.load(), 1);
}

TEST_F(DownloadLinksTest, TheSizeLimitTheTimeoutAndAFailedAnswerFailTheStepAddingNothing) {
  QueueEntry big = entry("<a href=\"" + url("/files/report.pdf") + "\"></a><a href=\"" +
                         url("/files/big.bin") + "\"></a>");
  EXPECT_THAT(failure({{"allow_private", true}, {"max_bytes", 1024}}, big),
              HasSubstr("larger than 1024 bytes"));
  EXPECT_EQ(big.passenger.attachments.size(), 1u);  // report.pdf was not kept either.
  QueueEntry slow = entry("<a href=\"" + url("/files/slow.pdf") + "\"></a>");
  EXPECT_THAT(failure({{"allow_private", true}, {"timeout_seconds", 0.3}}, slow), HasSubstr("GET"));
  QueueEntry missing = entry("<a href=\"" + url("/files/missing.pdf") + "\"></a>");
  EXPECT_THAT(failure({{"allow_private", true}}, missing), HasSubstr("answered 404"));
}

TEST_F(DownloadLinksTest, OnlyRootMaySetAllowPrivate) {
  const ComponentSpec* spec = registry_->find(ComponentKind::processor, kDownloadLinksModule);
  ASSERT_NE(spec, nullptr);
  std::string why;
  EXPECT_FALSE(host_access::delegated(HostAccess::network, true, HostDelegation{}, &why));
  EXPECT_THAT(why, HasSubstr("root's decision"));
  const auto it = std::find_if(spec->settings.begin(), spec->settings.end(),
                               [](const SettingSpec& s) { return s.key == "allow_private"; });
  ASSERT_NE(it, spec->settings.end());
  EXPECT_EQ(it->host, HostAccess::network);
}

}  // namespace
}  // namespace databus
