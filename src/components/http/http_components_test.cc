// The HTTP puller and pusher against a real cpp-httplib server on a free
// loopback port, started by each test.
#include "components/http/http_components.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "components/content_digest.h"
#include "components/exec/passenger_json.h"
#include "databus/attachment_content.h"
#include "databus/builtins.h"
#include "databus/error.h"
#include "databus/factories.h"
#include "databus/uuid.h"
#include "storage/json_db/json_database.h"
#include "web/http.h"

namespace databus {
namespace {

using testing::HasSubstr;
using testing::Not;

// What the server received for one request.
struct Received {
  std::string method;
  std::string path;
  std::string body;
  httplib::Headers headers;
  httplib::MultipartFormDataMap files;

  // The first value of header `name` (case-insensitive), or "".
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpComponentsTest : public testing::Test {
 protected:
  void SetUp() override {
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Bounded wait until the accept loop runs (stop() needs it).
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(server_.is_running());
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Answers GET `path` with `body` of `type` and `status`.
  void serve(const std::string& path, std::string body, std::string type, int status = 200) {
    server_.Get(path,
                [this, body, type, status](const httplib::Request& req, httplib::Response& res) {
                  record(req);
                  res.status = status;
                  res.set_content(body, type.c_str());
                });
  }
  // Answers POST `path` with `status`.
  void accept(const std::string& path, int status = 200) {
    server_.Post(path, [this, status](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.status = status;
      res.set_content(status == 200 ? "ok" : "try later", "text/plain");
    });
  }
  void record(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    received_.push_back({req.method, req.path, req.body, req.headers, req.files});
  }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  ComponentEnv env(nlohmann::json settings) {
    return ComponentEnv{"acme", "test.http", "", std::move(settings), {}};
  }
  DriveContext context() {
    return DriveContext("acme", passenger_, log_, [] {
      Passenger p;
      p.passenger_module = "test.http";
      return p;
    });
  }
  QueueEntry entry() {
    Passenger p;
    p.external_id = "A-1";
    p.internal_id = "0f5a3c5e-0000-4000-8000-000000000001";
    p.source_system = "erp";
    p.add_attachment("note.txt", AttachmentFormat::text, "hello");
    p.add_attachment("img.bin", AttachmentFormat::binary, std::string("\0\xff\x01\0z", 5));
    return QueueEntry::seat(p, {}, {kHttpPusherModule});
  }

  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Received> received_;
  ClientPassenger passenger_;
  Log log_;
};

TEST(HttpInternalTest, ExtensionsAndDigest) {
  using namespace http_internal;
  EXPECT_EQ(extension_for("application/json; charset=utf-8"), "json");
  EXPECT_EQ(extension_for("Text/CSV"), "csv");
  EXPECT_EQ(extension_for("application/vnd.api+json"), "json");
  EXPECT_EQ(extension_for(""), "bin");
  EXPECT_EQ(extension_for("application/x-unknown"), "bin");
}

TEST_F(HttpComponentsTest, PullerTurnsAJsonArrayIntoPassengersAndNotifies) {
  serve("/orders", R"([{"id": "A-1", "n": 1}, {"id": 7}, {"no_id": true}, {"id": "B-2"}])",
        "application/json");
  accept("/done");
  HttpPuller puller(
      env({{"url", url("/orders")}, {"notify_url", url("/done")}, {"source_system", "shop"}}));
  DriveContext ctx = context();
  const std::vector<Passenger> got = puller.pull(ctx);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].external_id, "A-1");
  EXPECT_EQ(got[1].external_id, "7");
  EXPECT_EQ(got[2].external_id, "B-2");
  EXPECT_EQ(got[0].source_system, "shop");
  EXPECT_EQ(got[0].puller_module, kHttpPullerModule);
  ASSERT_EQ(got[0].attachments.size(), 1u);
  EXPECT_EQ(got[0].attachments[0].name, "item.json");
  EXPECT_EQ(nlohmann::json::parse(got[0].attachments[0].content),
            nlohmann::json({{"id", "A-1"}, {"n", 1}}));

  puller.notify(ctx, got);
  const std::vector<Received> r = received();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].path, "/done");
  EXPECT_EQ(nlohmann::json::parse(r[1].body),
            nlohmann::json({{"external_ids", {"A-1", "7", "B-2"}}}));
}

TEST_F(HttpComponentsTest, PullerReadsAnObjectAndItemsAtPointers) {
  serve("/one", R"({"order": {"number": "X-9"}})", "application/json");
  serve("/page", R"({"data": [{"order": {"number": "P-1"}}], "next": null})", "application/json");
  DriveContext ctx = context();
  HttpPuller one(env({{"url", url("/one")}, {"external_id_pointer", "/order/number"}}));
  const std::vector<Passenger> a = one.pull(ctx);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].external_id, "X-9");

  HttpPuller page(env({{"url", url("/page")},
                       {"items_pointer", "/data"},
                       {"external_id_pointer", "/order/number"}}));
  const std::vector<Passenger> b = page.pull(ctx);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].external_id, "P-1");

  HttpPuller missing(env({{"url", url("/one")}, {"items_pointer", "/data"}}));
  EXPECT_THROW(missing.pull(ctx), Error);
}

TEST_F(HttpComponentsTest, PullerKeepsAnyOtherBodyWhole) {
  const std::string csv = "a;b\n1;2\n";
  const std::string pdf("%PDF\0\xff", 6);
  serve("/report.csv", csv, "text/csv");
  serve("/doc", pdf, "application/pdf");
  DriveContext ctx = context();
  const std::vector<Passenger> a = HttpPuller(env({{"url", url("/report.csv")}})).pull(ctx);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].external_id, content_digest(csv));
  ASSERT_EQ(a[0].attachments.size(), 1u);
  EXPECT_EQ(a[0].attachments[0].name, "body.csv");
  EXPECT_EQ(a[0].attachments[0].format, AttachmentFormat::text);
  EXPECT_EQ(a[0].attachments[0].content, csv);

  const std::vector<Passenger> b = HttpPuller(env({{"url", url("/doc")}})).pull(ctx);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].attachments[0].name, "body.pdf");
  EXPECT_EQ(b[0].attachments[0].format, AttachmentFormat::binary);
  EXPECT_EQ(b[0].attachments[0].content, pdf);
}

TEST_F(HttpComponentsTest, PullerSendsHeadersAndAuth) {
  serve("/x", "[]", "application/json");
  DriveContext ctx = context();
  HttpPuller basic(env({{"url", url("/x")},
                        {"auth", "basic"},
                        {"username", "ann"},
                        {"password", "s3cret"},
                        {"headers", {{"X-Api-Key", "k-123"}}}}));
  EXPECT_TRUE(basic.pull(ctx).empty());
  HttpPuller bearer(env({{"url", url("/x")}, {"auth", "bearer"}, {"token", "tok-456"}}));
  bearer.pull(ctx);
  const std::vector<Received> r = received();
  ASSERT_EQ(r.size(), 2u);
  // "ann:s3cret" in base64.
  EXPECT_EQ(r[0].header("Authorization"), "Basic YW5uOnMzY3JldA==");
  EXPECT_EQ(r[0].header("X-Api-Key"), "k-123");
  EXPECT_EQ(r[1].header("Authorization"), "Bearer tok-456");
}

TEST_F(HttpComponentsTest, ErrorsNameTheUrlButNoSecret) {
  serve("/down", "secret detail tok-456 here", "text/plain", 503);
  DriveContext ctx = context();
  HttpPuller puller(env({{"url", url("/down")}, {"auth", "bearer"}, {"token", "tok-456"}}));
  try {
    puller.pull(ctx);
    FAIL() << "no error for 503";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(url("/down")));
    EXPECT_THAT(e.what(), HasSubstr("503"));
    EXPECT_THAT(e.what(), Not(HasSubstr("tok-456")));
  }
  // Nothing listens on the port once the server is gone.
  const std::string gone = url("/down");
  TearDown();
  HttpPuller refused(env({{"url", gone},
                          {"auth", "basic"},
                          {"username", "u"},
                          {"password", "pw-789"},
                          {"timeout_seconds", 5}}));
  try {
    refused.pull(ctx);
    FAIL() << "no error for a closed port";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(gone));
    EXPECT_THAT(e.what(), Not(HasSubstr("pw-789")));
  }
}

TEST_F(HttpComponentsTest, PullerRefusesAResponseLargerThanItsLimit) {
  serve("/big", std::string(4000, 'x'), "text/plain");
  // Without Content-Length (chunked): the limit applies while reading.
  server_.Get("/stream", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset >= 4000) {
        sink.done();
        return true;
      }
      const std::string chunk(500, 'y');
      return sink.write(chunk.data(), chunk.size());
    });
  });
  DriveContext ctx = context();
  for (const std::string path : {"/big", "/stream"}) {
    HttpPuller puller(env({{"url", url(path)},
                           {"max_response_bytes", 1000},
                           {"headers", {{"X-Api-Key", "big-secret"}}}}));
    try {
      puller.pull(ctx);
      FAIL() << "no error for a response over the limit at " << path;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(url(path)));
      EXPECT_THAT(e.what(), HasSubstr("max_response_bytes"));
      EXPECT_THAT(e.what(), Not(HasSubstr("big-secret")));
    }
    HttpPuller roomy(env({{"url", url(path)}, {"max_response_bytes", 4000}}));
    EXPECT_EQ(roomy.pull(ctx).size(), 1u) << path;
  }
}

TEST_F(HttpComponentsTest, SettingsAreChecked) {
  EXPECT_THROW(HttpPuller(env(nlohmann::json::object())), ConfigError);
  EXPECT_THROW(HttpPuller(env({{"url", url("/")}, {"auth", "digest"}})), ConfigError);
  EXPECT_THROW(HttpPuller(env({{"url", url("/")}, {"auth", "bearer"}})), ConfigError);
  EXPECT_THROW(HttpPuller(env({{"url", url("/")}, {"external_id_pointer", "id"}})), ConfigError);
  EXPECT_THROW(HttpPusher(env({{"url", url("/")}, {"format", "xml"}})), ConfigError);
  EXPECT_THROW(HttpPuller(env({{"url", url("/")}, {"max_response_bytes", 0}})), ConfigError);
  std::shared_ptr<Registry> registry = builtin_registry();
  EXPECT_NE(registry->find(ComponentKind::puller, kHttpPullerModule), nullptr);
  EXPECT_NE(registry->find(ComponentKind::pusher, kHttpPusherModule), nullptr);
}

TEST_F(HttpComponentsTest, PusherPostsThePassengerAsJson) {
  accept("/in");
  QueueEntry e = entry();
  DriveContext ctx = context();
  HttpPusher(env({{"url", url("/in")}, {"auth", "bearer"}, {"token", "t"}})).push(ctx, e);
  const std::vector<Received> r = received();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].header("Content-Type"), "application/json");
  EXPECT_EQ(r[0].header("X-Databus-Internal-Id"), e.passenger.internal_id);
  const nlohmann::json body = nlohmann::json::parse(r[0].body);
  EXPECT_EQ(body, passenger_to_json(e.passenger));
  EXPECT_EQ(attachments_from_json(body), e.passenger.attachments);
}

TEST_F(HttpComponentsTest, PusherPostsMultipartWithBinaryIntact) {
  accept("/in");
  QueueEntry e = entry();
  DriveContext ctx = context();
  HttpPusher(env({{"url", url("/in")}, {"format", "multipart"}})).push(ctx, e);
  const std::vector<Received> r = received();
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].files.size(), 2u);
  const httplib::MultipartFormData& note = r[0].files.find("note.txt")->second;
  EXPECT_EQ(note.filename, "note.txt");
  EXPECT_EQ(note.content, "hello");
  const httplib::MultipartFormData& img = r[0].files.find("img.bin")->second;
  EXPECT_EQ(img.content, std::string("\0\xff\x01\0z", 5));
  EXPECT_EQ(img.content_type, "application/octet-stream");
}

TEST_F(HttpComponentsTest, PusherThrowsOnAServerErrorSoTheDriveRetries) {
  accept("/in", 500);
  QueueEntry e = entry();
  DriveContext ctx = context();
  HttpPusher pusher(env({{"url", url("/in")}, {"headers", {{"X-Api-Key", "hdr-secret"}}}}));
  try {
    pusher.push(ctx, e);
    FAIL() << "no error for 500";
  } catch (const Error& err) {
    EXPECT_THAT(err.what(), HasSubstr("500"));
    EXPECT_THAT(err.what(), HasSubstr(url("/in")));
    EXPECT_THAT(err.what(), Not(HasSubstr("hdr-secret")));
  }
}

// Issue 18, point 3: a directory -> HTTP flow of a file far above the spool
// threshold; the multipart body is streamed from the store's file, and the
// server receives the same bytes.
TEST_F(HttpComponentsTest, ALargeFileFlowsFromAFolderToTheServerUnchanged) {
  accept("/in");
  const std::filesystem::path root =
      std::filesystem::path(testing::TempDir()) / ("databus_http_large_" + new_uuid());
  std::filesystem::create_directories(root / "in");
  std::string bytes((3 << 20) + 17, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + i / 1021);
  std::ofstream(root / "in" / "scan.bin", std::ios::binary) << bytes;
  std::ofstream(root / "in" / "note.txt") << "small";

  std::shared_ptr<Registry> registry = builtin_registry();
  registry->add_passenger(ComponentSpec{"test.http", "files", {}, {}});
  passenger_.name = "test.http";
  passenger_.pullers = {
      {"databus.puller.directory",
       {{"path", (root / "in").string()}, {"done_path", (root / "done").string()}}}};
  passenger_.pushers = {{kHttpPusherModule, {{"url", url("/in")}, {"format", "multipart"}}}};
  Factories factories = Factories::primal(registry);
  {
    std::unique_ptr<Database> database = open_json_database({root / "data", {}});
    Log log;
    DriveRequest request;
    request.client_id = "acme";
    request.passenger = passenger_;
    request.database = database.get();
    request.factories = &factories;
    request.log = &log;
    request.spool = SpoolSettings{root / "data" / ".spool", 64 << 10};
    factories.driver("databus.driver.primal_driver")->drive(request);
    EXPECT_FALSE(log.has_errors()) << log.to_text();
  }
  std::filesystem::remove_all(root);

  const std::vector<Received> r = received();
  ASSERT_EQ(r.size(), 2u);
  std::map<std::string, std::string> got;
  for (const Received& one : r) {
    ASSERT_EQ(one.files.size(), 1u);
    got[one.files.begin()->first] = one.files.begin()->second.content;
  }
  const Attachment sent{"scan.bin", AttachmentFormat::binary, bytes};
  const Attachment arrived{"scan.bin", AttachmentFormat::binary, got["scan.bin"]};
  EXPECT_EQ(content_sha256(arrived), content_sha256(sent));
  EXPECT_EQ(got["note.txt"], "small");
}

// The json format holds a passenger whole: a spooled attachment above the
// limit is refused with an error naming it and pointing to multipart.
TEST_F(HttpComponentsTest, TheJsonFormatRefusesAnAttachmentAboveItsLimit) {
  accept("/in");
  const std::filesystem::path sparse =
      std::filesystem::path(testing::TempDir()) / ("databus_sparse_" + new_uuid());
  std::ofstream(sparse).close();
  std::filesystem::resize_file(sparse, kWholeContentLimit + 1);  // No blocks written.
  QueueEntry e = entry();
  Attachment big;
  big.name = "huge.bin";
  big.format = AttachmentFormat::binary;
  big.spool = std::make_shared<const SpooledFile>(sparse, kWholeContentLimit + 1, "0", true);
  e.passenger.add_attachment(std::move(big));
  DriveContext ctx = context();
  try {
    HttpPusher(env({{"url", url("/in")}})).push(ctx, e);
    FAIL() << "no error";
  } catch (const ContentTooLargeError& err) {
    EXPECT_THAT(err.what(), HasSubstr("'huge.bin'"));
    EXPECT_THAT(err.what(), HasSubstr(e.passenger.describe()));
    EXPECT_THAT(err.what(), HasSubstr("multipart"));
  }
  EXPECT_TRUE(received().empty());
}

}  // namespace
}  // namespace databus
