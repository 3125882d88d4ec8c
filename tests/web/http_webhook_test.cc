// The webhook inbox (POST /api/v1/inbox/<client>/<passenger>) with real HTTP
// requests against the running web server.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <thread>
#include <vector>

#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kHooked[] = "databus.passenger.demo.demo_passenger_1";
constexpr char kUnhooked[] = "databus.passenger.demo.demo_passenger_2";
constexpr char kToken[] = "inbox-token-1f2e";
constexpr char kInbox[] = "/api/v1/inbox/hooks/databus.passenger.demo.demo_passenger_1";

class InboxTest : public WebTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(setenv("DATABUS_TEST_INBOX_TOKEN", kToken, 1), 0);
    WebTest::SetUp();
    dispatcher_->database().write_client_config_text(
        "hooks", json{{"log_life_span", 1},
                      {"users", json::array()},
                      {"passengers",
                       {{{"name", kHooked},
                         {"pullers",
                          {{{"module", "databus.puller.webhook"},
                            {"token", "${env:DATABUS_TEST_INBOX_TOKEN}"},
                            {"source_system", "shop"},
                            {"max_body_bytes", 4096}}}},
                         {"processors", {"databus.processor.demo.demo_processor_1"}},
                         {"pushers", {"databus.pusher.demo.demo_pusher_1"}},
                         {"sync_frequency", 600}},
                        {{"name", kUnhooked},
                         {"pullers", {"databus.puller.demo.demo_puller_2"}},
                         {"processors", json::array()},
                         {"pushers", json::array()},
                         {"sync_frequency", 600}}}}}
                     .dump(2));
  }

  httplib::Client client() { return httplib::Client("127.0.0.1", server_->port()); }
  httplib::Headers auth(const std::string& token = kToken) {
    return {{"Authorization", "Bearer " + token}};
  }
  std::size_t stored_count() {
    EntryQuery q;
    q.passenger_module = kHooked;
    return dispatcher_->database().count_entries("hooks", q);
  }
};

TEST_F(InboxTest, AcceptedPassengerIsDurableBeforeTheAnswer) {
  const std::string body = R"({"order": 17, "items": ["a", "b"]})";
  auto res = client().Post(kInbox, auth(), body, "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  const json answer = json::parse(res->body);
  EXPECT_EQ(answer["status"], "accepted");
  const std::string id = answer["internal_id"];

  const std::optional<QueueEntry> entry = dispatcher_->database().load_entry("hooks", id);
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->puller_notified);
  EXPECT_EQ(entry->passenger.source_system, "shop");
  EXPECT_EQ(entry->passenger.puller_module, "databus.puller.webhook");
  EXPECT_EQ(entry->passenger.external_id, answer["external_id"]);
  ASSERT_EQ(entry->passenger.attachments.size(), 1u);
  EXPECT_EQ(entry->passenger.attachments[0].name, "body.json");
  EXPECT_EQ(entry->passenger.attachments[0].format, AttachmentFormat::text);
  EXPECT_EQ(entry->passenger.attachments[0].content, body);
  // The observer heard of it, once; a repeat is not seated again.
  EXPECT_EQ(observer_->seated(), std::vector<std::string>{"hooks/" + id});
  auto again = client().Post(kInbox, auth(), body, "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(observer_->seated().size(), 1u);
  // The inbox log its GUID names, shared by the seats before a drive, is
  // stored when the next drive of the client passenger starts.
  ASSERT_FALSE(entry->passenger.log_guids.empty());
  dispatcher_->drive_now("hooks", kHooked);
  const std::optional<Log> log =
      dispatcher_->database().read_log("hooks", entry->passenger.log_guids[0]);
  ASSERT_TRUE(log);
  EXPECT_THAT(log->to_text(), HasSubstr("Webhook: seated passenger"));
}

TEST_F(InboxTest, ManySeatsShareOneLog) {
  for (int i = 0; i < 20; ++i) {
    auto res = client().Post(kInbox, auth(), "order " + std::to_string(i), "text/plain");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 202) << res->body;
  }
  dispatcher_->drive_now("hooks", kHooked);
  // One log for the 20 seats and one for the drive, not one per request.
  EXPECT_EQ(dispatcher_->database().list_logs("hooks").size(), 2u);
}

TEST_F(InboxTest, ARepeatIsAcceptedOnce) {
  auto first = client().Post(kInbox, auth(), "same text", "text/plain");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 202) << first->body;
  auto again = client().Post(kInbox, auth(), "same text", "text/plain");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(json::parse(again->body)["status"], "duplicate");
  EXPECT_EQ(json::parse(again->body)["internal_id"], json::parse(first->body)["internal_id"]);

  // The sender's id wins over the content.
  httplib::Headers h = auth();
  h.emplace("X-External-Id", "ORDER-9");
  auto a = client().Post(kInbox, h, "version 1", "text/plain");
  auto b = client().Post(kInbox, h, "version 2", "text/plain");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->status, 202);
  EXPECT_EQ(b->status, 200);
  EXPECT_EQ(stored_count(), 2u);
}

TEST_F(InboxTest, ConcurrentIdenticalPostsSeatOnePassenger) {
  std::vector<int> statuses(6, 0);
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    senders.emplace_back([this, i, &statuses] {
      auto res = client().Post(kInbox, auth(), R"({"same": true})", "application/json");
      statuses[i] = res ? res->status : -1;
    });
  }
  for (std::thread& t : senders) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 202), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 5);
  EXPECT_EQ(stored_count(), 1u);
}

TEST_F(InboxTest, TokenIsRequiredAndChecked) {
  auto none = client().Post(kInbox, "{}", "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_THAT(none->get_header_value("WWW-Authenticate"), HasSubstr("Bearer"));
  auto wrong = client().Post(kInbox, auth("inbox-token-1f2f"), "{}", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->body, ::testing::Not(HasSubstr(kToken)));
  auto prefix = client().Post(kInbox, auth("inbox"), "{}", "application/json");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->status, 401);
  EXPECT_EQ(stored_count(), 0u);
  // The other header form.
  auto other = client().Post(kInbox, {{"X-Databus-Token", kToken}}, "{}", "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 202);
}

TEST_F(InboxTest, UnknownInboxesAre404) {
  for (const std::string& path : std::vector<std::string>{
           "/api/v1/inbox/nobody/" + std::string(kHooked), "/api/v1/inbox/hooks/no.such.passenger",
           "/api/v1/inbox/hooks/" + std::string(kUnhooked),
           "/api/v1/inbox/demo/" + std::string(kHooked)}) {
    auto res = client().Post(path, auth(), "{}", "application/json");
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path << " " << res->body;
  }
}

TEST_F(InboxTest, APassengerTypeWithAnUnknownModuleIs503) {
  dispatcher_->database().write_client_config_text(
      "typo", json{{"log_life_span", 1},
                   {"users", json::array()},
                   {"passengers",
                    {{{"name", "orders"},
                      {"pullers", {{{"module", "databus.puller.webhook"}, {"token", kToken}}}},
                      {"processors", json::array()},
                      {"pushers", json::array()},
                      {"sync_frequency", 600}}}}}
                  .dump(2));
  auto res = client().Post("/api/v1/inbox/typo/orders", auth(), "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_THAT(res->body, HasSubstr("unknown passenger or queue module"));
  EXPECT_EQ(dispatcher_->database().count_entries("typo", {}), 0u);
}

TEST_F(InboxTest, TooLargeBodiesAre413) {
  auto res = client().Post(kInbox, auth(), std::string(5000, 'x'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(stored_count(), 0u);
  auto fits = client().Post(kInbox, auth(), std::string(4000, 'x'), "text/plain");
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 202);
}

// The status line the server answers to `request` sent on a raw socket.
std::string status_line(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buffer[256];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) answer.assign(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer.substr(0, answer.find("\r\n"));
}

TEST_F(InboxTest, OtherRoutesRefuseLargeBodiesBeforeReadingThem) {
  // Only the announced length is sent: the answer must come without the body.
  const std::string head =
      "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: 9437184\r\n\r\n";
  EXPECT_EQ(status_line(server_->port(), head), "HTTP/1.1 413 Payload Too Large");
}

TEST_F(InboxTest, MultipartFilesBecomeAttachmentsOfOnePassenger) {
  const std::string binary("\x89PNG\0\x01\xff", 7);
  httplib::MultipartFormDataItems items = {
      {"first", "a;b\n1;2\n", "../reports/sales.csv", "text/csv"},
      {"second", binary, "logo.png", "image/png"},
      {"note", "from the shop", "", ""},
  };
  auto res = client().Post(kInbox, auth(), items);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  const std::optional<QueueEntry> entry =
      dispatcher_->database().load_entry("hooks", json::parse(res->body)["internal_id"]);
  ASSERT_TRUE(entry);
  const Passenger& p = entry->passenger;
  ASSERT_EQ(p.attachments.size(), 3u);
  const Attachment* csv = p.find_attachment("sales.csv");
  ASSERT_NE(csv, nullptr);
  EXPECT_EQ(csv->format, AttachmentFormat::text);
  EXPECT_EQ(csv->content, "a;b\n1;2\n");
  const Attachment* png = p.find_attachment("logo.png");
  ASSERT_NE(png, nullptr);
  EXPECT_EQ(png->format, AttachmentFormat::binary);
  EXPECT_EQ(png->content, binary);
  const Attachment* form = p.find_attachment("form.json");
  ASSERT_NE(form, nullptr);
  EXPECT_EQ(json::parse(form->content), json({{"note", "from the shop"}}));
}

TEST_F(InboxTest, TheNextDriveProcessesAndPushesIt) {
  auto res = client().Post(kInbox, auth(), "<order/>", "application/xml");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  const std::string id = json::parse(res->body)["internal_id"];
  // Expedited: the client passenger is due now rather than in 600 minutes.
  bool expedited = false;
  for (const PassengerSchedule& s : dispatcher_->status().passengers) {
    if (s.client_id == "hooks" && s.passenger == kHooked) expedited = s.next_due <= Clock::now();
  }
  EXPECT_TRUE(expedited);

  const Log log = dispatcher_->drive_now("hooks", kHooked);
  EXPECT_FALSE(log.has_errors()) << log.to_text();
  const std::optional<QueueEntry> entry = dispatcher_->database().load_entry("hooks", id);
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->complete());
  EXPECT_EQ(stored_count(), 1u);  // The drive's pull added nothing.
}

}  // namespace
}  // namespace databus::web::testing
