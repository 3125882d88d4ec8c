// Issue 6's end-to-end test, as a user would set it up: a client config.json
// in a JSON DB data directory drives the built-in components. An e-mail with
// a spreadsheet and a zip arrives over SMTP, is pulled over IMAP, filtered,
// unzipped, pushed to a folder and to an HTTP endpoint, and moved on the
// server; an e-mail without a spreadsheet ends complete and is pushed nowhere.
#include <archive.h>
#include <archive_entry.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "components/mail/email_writer.h"
#include "components/mail/mail_test_server.h"
#include "components/mail/smtp_pusher.h"
#include "databus/builtins.h"
#include "databus/dispatcher.h"
#include "databus/uuid.h"
#include "web/http.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using testing::UnorderedElementsAre;

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string buffer(1 << 16, '\0');
  size_t used = 0;
  struct archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_memory(a, buffer.data(), buffer.size(), &used);
  for (const auto& [name, content] : files) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_write_header(a, e);
    archive_write_data(a, content.data(), content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  buffer.resize(used);
  return buffer;
}

std::vector<std::string> names(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& item : fs::directory_iterator(dir)) out.push_back(item.path().filename());
  return out;
}

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class MailEndToEndTest : public testing::Test {
 protected:
  void SetUp() override {
    server_ = MailTestServer::load();
    folder_ = server_.new_folder();
    fs::create_directories(data_ / "clients" / "acme");
    port_ = http_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    http_.Post("/inbox", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      std::vector<std::string> files;
      for (const auto& [field, file] : req.files) files.push_back(file.filename);
      received_.push_back(files);
      res.set_content("ok", "text/plain");
    });
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !http_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(http_.is_running());
  }
  void TearDown() override {
    http_.stop();
    if (thread_.joinable()) thread_.join();
    fs::remove_all(data_);
  }

  // Sends an e-mail with `attachments` to the test folder over SMTP.
  void send(const std::string& subject, const std::vector<Attachment>& attachments) {
    Passenger p;
    p.internal_id = new_uuid();
    p.add_attachment("_body.txt", AttachmentFormat::text, "Please find attached.");
    for (const Attachment& a : attachments) p.add_attachment(a);
    const ComponentEnv env{"t", "t", kSmtpPusherModule, server_.smtp_settings(folder_), {}};
    smtp_internal::send_email(read_mail_endpoint(env, MailProtocol::smtp),
                              write_email(p, {"Ann <ann@example.com>",
                                              {server_.address(folder_)},
                                              subject,
                                              p.internal_id + "@example.com",
                                              "_body.txt"}));
  }

  void write_config() {
    nlohmann::json imap = server_.imap_settings(folder_);
    imap["module"] = "databus.puller.imap";
    imap["source_system"] = "MAILBOX";
    imap["password"] = "${env:DATABUS_E2E_MAIL_PASSWORD}";
    ::setenv("DATABUS_E2E_MAIL_PASSWORD", server_.password.c_str(), 1);
    const nlohmann::json config = {
        {"log_life_span", 1},
        {"users", nlohmann::json::array()},
        {"passengers",
         {{{"name", "databus.passenger.email"},
           {"pullers", {imap}},
           {"processors",
            {{{"module", "databus.processor.filter_attachments"},
              {"extensions", {".xlsx", ".xls", ".ods"}}},
             "databus.processor.unzip"}},
           {"pushers",
            {{{"module", "databus.pusher.directory"}, {"path", (data_ / "out").string()}},
             {{"module", "databus.pusher.http"},
              {"url", "http://127.0.0.1:" + std::to_string(port_) + "/inbox"},
              {"format", "multipart"}}}},
           {"queue", "databus.pqueue.primal_queue"},
           {"queue_life_span", 1},
           {"sync_frequency", 1}}}}};
    std::ofstream(data_ / "clients" / "acme" / "config.json") << config.dump(2);
  }

  MailTestServer server_;
  std::string folder_;
  fs::path data_ = fs::path(testing::TempDir()) / ("databus_mail_e2e_" + new_uuid());
  httplib::Server http_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::vector<std::string>> received_;
};

TEST_F(MailEndToEndTest, SpreadsheetMailIsPushedAndOtherMailEndsComplete) {
  send("Monthly figures",
       {{"report.xlsx", AttachmentFormat::binary, std::string("PK\x03\x04xlsx\0\xff", 10)},
        {"extra.zip", AttachmentFormat::binary,
         make_zip({{"data/figures.csv", "a;b\n1;2\n"}, {"readme.txt", "read me"}})}});
  send("Lunch", {{"menu.txt", AttachmentFormat::text, "soup"}});
  ASSERT_EQ(server_.count(folder_), 2u);
  write_config();

  DispatcherTicket ticket;
  ticket.registry = builtin_registry();
  ticket.data_dir = data_;
  ticket.run_web_server = false;
  ticket.create_default_clients = false;
  Dispatcher dispatcher(ticket);
  const Log log = dispatcher.drive_now("acme", "databus.passenger.email");
  EXPECT_FALSE(log.has_errors()) << log.to_text();

  // Both messages moved on the server.
  EXPECT_EQ(server_.count(folder_), 0u);
  EXPECT_EQ(server_.count(folder_ + "-done"), 2u);

  const std::vector<QueueEntry> entries = dispatcher.database().query_entries("acme", {});
  ASSERT_EQ(entries.size(), 2u);
  const QueueEntry* figures = nullptr;
  for (const QueueEntry& e : entries) {
    EXPECT_TRUE(e.complete()) << e.passenger.describe();
    EXPECT_EQ(e.passenger.source_system, "MAILBOX");
    if (e.passenger.find_attachment("report.xlsx") != nullptr) figures = &e;
  }
  ASSERT_NE(figures, nullptr);

  // Only the spreadsheet mail reached the folder and the HTTP endpoint, its
  // zip replaced by the files it held.
  const std::string id = figures->passenger.internal_id;
  EXPECT_THAT(names(data_ / "out"), UnorderedElementsAre(id));
  EXPECT_THAT(names(data_ / "out" / id),
              UnorderedElementsAre("_body.txt", "_headers.json", "report.xlsx", "figures.csv",
                                   "readme.txt"));
  EXPECT_EQ(read(data_ / "out" / id / "report.xlsx"), std::string("PK\x03\x04xlsx\0\xff", 10));
  EXPECT_EQ(read(data_ / "out" / id / "figures.csv"), "a;b\n1;2\n");
  std::lock_guard lock(mutex_);
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_THAT(received_[0], UnorderedElementsAre("_body.txt", "_headers.json", "report.xlsx",
                                                 "figures.csv", "readme.txt"));
}

}  // namespace
}  // namespace databus
