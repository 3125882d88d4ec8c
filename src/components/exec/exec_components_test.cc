// The exec puller, processor and pusher with real /bin/sh scripts.
#include "components/exec/exec_components.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "components/exec/passenger_json.h"
#include "databus/attachment_content.h"
#include "databus/builtins.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;
using testing::HasSubstr;

class ExecComponentsTest : public testing::Test {
 protected:
  ExecComponentsTest() : dir_(fs::path(testing::TempDir()) / ("databus_exec_" + new_uuid())) {
    fs::create_directories(dir_);
  }
  ~ExecComponentsTest() override { fs::remove_all(dir_); }

  // ["/bin/sh", "<dir>/<name>"] running `body`.
  nlohmann::json script(const std::string& name, const std::string& body) {
    std::ofstream(dir_ / name) << body;
    return {"/bin/sh", (dir_ / name).string()};
  }
  std::string read(const std::string& name) { return durable::read_file(dir_ / name); }
  ComponentEnv env() { return ComponentEnv{"acme", "test.exec", "", {}, dir_}; }
  DriveContext context() {
    return DriveContext("acme", passenger_, log_, [] {
      Passenger p;
      p.passenger_module = "test.exec";
      return p;
    });
  }
  QueueEntry entry() {
    Passenger p;
    p.external_id = "A-1";
    p.internal_id = "0f5a3c5e-0000-4000-8000-000000000001";
    p.source_system = "erp";
    p.add_attachment("note.txt", AttachmentFormat::text, "hello");
    p.add_attachment("img.bin", AttachmentFormat::binary, std::string("\0\xff\x01", 3));
    return QueueEntry::seat(p, {kExecProcessorModule}, {kExecPusherModule, "other.pusher"});
  }

  fs::path dir_;
  std::shared_ptr<Registry> registry_ = builtin_registry();
  ClientPassenger passenger_;
  Log log_;
};

TEST(PassengerJsonTest, Base64RoundTripsAndRejectsGarbage) {
  for (const std::string& bytes : {std::string(), std::string("f"), std::string("fo"),
                                   std::string("foo"), std::string("\0\xff\x10\x80", 4)}) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_decode("Zm9v\nYmFy"), "foobar");
  for (const char* bad : {"Zm9", "Zm=v", "Z===", "Zm9v!A==", "=m9v"}) {
    EXPECT_THROW(base64_decode(bad), std::invalid_argument) << bad;
  }
}

TEST_F(ExecComponentsTest, PullerReadsJsonLinesAndNotifiesWithIds) {
  const nlohmann::json pull = script("pull.sh", R"(
echo '{"external_id": "A-1", "attachments": [{"name": "a b.txt", "content": "hi"},
  {"name": "x.bin", "format": "binary", "content": "AP8B"}]}' | tr -d '\n'
echo
echo
echo '{"external_id": "B-2", "source_system": "crm"}'
echo 'not json'
echo '{"source_system": "no id"}'
)");
  const nlohmann::json notify = script("notify.sh", "cat > \"$OUT_DIR/notified\"\n");
  auto puller = registry_->make_puller({kExecPullerModule,
                                        {{"command", pull},
                                         {"notify_command", notify},
                                         {"source_system", "erp"},
                                         {"environment", {{"OUT_DIR", dir_.string()}}}}},
                                       env());
  DriveContext ctx = context();
  const std::vector<Passenger> got = puller->pull(ctx);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].external_id, "A-1");
  EXPECT_EQ(got[0].source_system, "erp");
  EXPECT_EQ(got[0].puller_module, kExecPullerModule);
  ASSERT_EQ(got[0].attachments.size(), 2u);
  EXPECT_EQ(got[0].attachments[0].name, "a b.txt");
  EXPECT_EQ(got[0].attachments[0].content, "hi");
  EXPECT_EQ(got[0].attachments[1].format, AttachmentFormat::binary);
  EXPECT_EQ(got[0].attachments[1].content, std::string("\0\xff\x01", 3));
  EXPECT_EQ(got[1].source_system, "crm");
  const std::string text = log_.to_text();
  EXPECT_THAT(text, HasSubstr("stdout line 4: skipped"));
  EXPECT_THAT(text, HasSubstr("stdout line 5: skipped"));

  puller->notify(ctx, got);
  EXPECT_EQ(read("notified"), "A-1\nB-2\n");
}

// Streamed: the lines written before the command failed are handed over,
// then the failure fails the pull.
TEST_F(ExecComponentsTest, PullerHandsOverTheLinesBeforeAFailure) {
  const nlohmann::json pull = script("pull.sh", R"(
echo '{"external_id": "A-1"}'
printf '{"external_id": "B-2"}'
echo 'broken' >&2
exit 3
)");
  auto puller = registry_->make_puller({kExecPullerModule, {{"command", pull}}}, env());
  DriveContext ctx = context();
  struct Collect : PassengerSink {
    void put(Passenger p) override { ids.push_back(p.external_id); }
    std::vector<std::string> ids;
  } sink;
  try {
    puller->pull_into(ctx, sink);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("exited with status 3"));
    EXPECT_THAT(e.what(), HasSubstr("broken"));
  }
  EXPECT_EQ(sink.ids, (std::vector<std::string>{"A-1", "B-2"}));
}

TEST_F(ExecComponentsTest, ProcessorGetsPassengerAndReturnsChangedOne) {
  // Saves what it got, then answers with one new attachment.
  const nlohmann::json command = script("process.sh", R"(
cat > "$1/got.json"
echo '{"attachments": [{"name": "out/put.csv", "content": "a;b"}], "external_id": "ignored"}'
)");
  nlohmann::json argv = command;
  argv.push_back(dir_.string());
  auto processor = registry_->make_processor({kExecProcessorModule, {{"command", argv}}}, env());
  QueueEntry e = entry();
  DriveContext ctx = context();
  processor->process(ctx, e);
  const nlohmann::json got = nlohmann::json::parse(read("got.json"));
  EXPECT_EQ(got["external_id"], "A-1");
  EXPECT_EQ(got["internal_id"], e.passenger.internal_id);
  EXPECT_EQ(got["attachments"][0],
            (nlohmann::json{{"name", "note.txt"}, {"format", "text"}, {"content", "hello"}}));
  EXPECT_EQ(got["attachments"][1]["content"], "AP8B");
  EXPECT_EQ(e.passenger.external_id, "A-1");
  ASSERT_EQ(e.passenger.attachments.size(), 1u);
  EXPECT_EQ(e.passenger.attachments[0].name, "out_put.csv");
  EXPECT_EQ(e.pusher(kExecPusherModule)->status, StepStatus::incomplete);

  // "complete": true filters; empty output keeps the attachments.
  auto filter = registry_->make_processor(
      {kExecProcessorModule,
       {{"command", script("f.sh", "cat >/dev/null; echo '{\"complete\": true}'")}}},
      env());
  QueueEntry f = entry();
  filter->process(ctx, f);
  EXPECT_EQ(f.passenger.attachments.size(), 2u);
  EXPECT_TRUE(f.pusher("other.pusher")->status == StepStatus::complete);

  auto bad = registry_->make_processor(
      {kExecProcessorModule, {{"command", script("b.sh", "echo '{\"attachments\": 5}'")}}}, env());
  QueueEntry b = entry();
  EXPECT_THROW(bad->process(ctx, b), Error);
}

TEST(PassengerJsonTest, FullNamesRoundTripOnlyWhereThereAreAny) {
  Passenger p;
  const std::string given = std::string(296, 'z') + ".xml";
  const std::string shortened = p.add_attachment(given, AttachmentFormat::text, "long");
  p.add_attachment("short.txt", AttachmentFormat::binary, "short");
  const nlohmann::json json = passenger_to_json(p);
  EXPECT_EQ(json["attachments"][0]["name"], shortened);
  EXPECT_EQ(json["attachments"][0]["full_name"], given);
  EXPECT_FALSE(json["attachments"][1].contains("full_name"));
  EXPECT_EQ(attachments_from_json(json), p.attachments);

  nlohmann::json bad = {{"attachments", {{{"name", "a.txt"}, {"full_name", 5}}}}};
  try {
    attachments_from_json(bad);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("attachment \"a.txt\": \"full_name\" must be a string"));
  }
}

// Issue 13: an attachment whose name was shortened keeps its whole name through
// a processor command, whether the command passes "full_name" back or not; a
// renamed attachment does not take it along.
TEST_F(ExecComponentsTest, ProcessorKeepsTheFullNamesOfShortenedAttachments) {
  const std::string ascii = std::string(296, 'z') + ".xml";
  std::string letters;
  for (int i = 0; i < 150; ++i) letters += "\u00e9";  // 300 bytes of two-byte letters.
  letters += ".txt";
  QueueEntry e = entry();
  const std::string ascii_short = e.passenger.add_attachment(ascii, AttachmentFormat::text, "a");
  const std::string letters_short =
      e.passenger.add_attachment(letters, AttachmentFormat::binary, "b");
  ASSERT_EQ(e.passenger.attachments.size(), 4u);
  const std::vector<Attachment> before = e.passenger.attachments;
  DriveContext ctx = context();

  // Everything back as it came.
  auto echo = registry_->make_processor({kExecProcessorModule, {{"command", {"cat"}}}}, env());
  echo->process(ctx, e);
  EXPECT_EQ(e.passenger.attachments, before);
  EXPECT_EQ(e.passenger.attachments[2].name, ascii_short);
  EXPECT_EQ(e.passenger.attachments[2].full_name, ascii);
  EXPECT_EQ(e.passenger.attachments[3].name, letters_short);
  EXPECT_EQ(e.passenger.attachments[3].full_name, letters);

  // Rebuilt from name, format and content only ("full_name" dropped).
  auto rebuild = registry_->make_processor(
      {kExecProcessorModule,
       {{"command", script("rebuild.sh", R"(sed 's/"full_name":"[^"]*",//g')")}}},
      env());
  QueueEntry r = e;
  rebuild->process(ctx, r);
  EXPECT_EQ(r.passenger.attachments, before);

  // Renamed, the old "full_name" kept by mistake; a new name too long for a file.
  const std::string longer = std::string(300, 'n') + ".csv";
  auto rename = registry_->make_processor(
      {kExecProcessorModule,
       {{"command", script("rename.sh",
                           "cat >/dev/null; echo '{\"attachments\": [{\"name\": "
                           "\"renamed.xml\", \"full_name\": \"" +
                               ascii + "\"}, {\"name\": \"" + longer +
                               "\", \"full_name\": \"other.csv\"}]}'")}}},
      env());
  rename->process(ctx, e);
  ASSERT_EQ(e.passenger.attachments.size(), 2u);
  EXPECT_EQ(e.passenger.attachments[0].name, "renamed.xml");
  EXPECT_EQ(e.passenger.attachments[0].full_name, "");
  EXPECT_EQ(e.passenger.attachments[1].name.size(), kMaxAttachmentName);
  EXPECT_EQ(e.passenger.attachments[1].full_name, longer);
}

TEST_F(ExecComponentsTest, PusherAndPullerCarryWholeNames) {
  const nlohmann::json save = script("save.sh", "cat > \"$1/pushed.json\"\n");
  nlohmann::json argv = save;
  argv.push_back(dir_.string());
  auto pusher = registry_->make_pusher({kExecPusherModule, {{"command", argv}}}, env());
  QueueEntry e = entry();
  const std::string given = std::string(296, 'p') + ".pdf";
  const std::string shortened = e.passenger.add_attachment(given, AttachmentFormat::text, "p");
  DriveContext ctx = context();
  pusher->push(ctx, e);
  const nlohmann::json pushed = nlohmann::json::parse(read("pushed.json"));
  EXPECT_FALSE(pushed["attachments"][0].contains("full_name"));
  EXPECT_EQ(pushed["attachments"][2]["name"], shortened);
  EXPECT_EQ(pushed["attachments"][2]["full_name"], given);

  // A puller's whole names are in "name"; its "full_name" means nothing.
  auto puller = registry_->make_puller(
      {kExecPullerModule,
       {{"command", script("pull.sh",
                           "echo '{\"external_id\": \"L-1\", \"attachments\": "
                           "[{\"name\": \"" +
                               given +
                               "\"}, {\"name\": \"a.txt\", \"full_name\": "
                               "\"made-up.txt\"}]}'")}}},
      env());
  const std::vector<Passenger> got = puller->pull(ctx);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].attachments.size(), 2u);
  EXPECT_EQ(got[0].attachments[0].name, shortened);
  EXPECT_EQ(got[0].attachments[0].full_name, given);
  EXPECT_EQ(got[0].attachments[1].name, "a.txt");
  EXPECT_EQ(got[0].attachments[1].full_name, "");
}

TEST_F(ExecComponentsTest, PusherSucceedsOnlyOnExitZeroAndHidesSecrets) {
  ::setenv("DATABUS_TEST_EXEC_TOKEN", "tok-987", 1);
  const nlohmann::json ok = script("ok.sh", "cat > \"$1/pushed.json\"\n");
  nlohmann::json ok_argv = ok;
  ok_argv.push_back(dir_.string());
  auto pusher = registry_->make_pusher({kExecPusherModule, {{"command", ok_argv}}}, env());
  QueueEntry e = entry();
  DriveContext ctx = context();
  pusher->push(ctx, e);
  EXPECT_EQ(nlohmann::json::parse(read("pushed.json"))["source_system"], "erp");

  auto failing = registry_->make_pusher(
      {kExecPusherModule,
       {{"command", script("fail.sh", "cat >/dev/null; echo \"refused with $TOKEN\" >&2; exit 7")},
        {"environment", {{"TOKEN", "${env:DATABUS_TEST_EXEC_TOKEN}"}}}}},
      env());
  try {
    failing->push(ctx, e);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("command '/bin/sh' exited with status 7"));
    EXPECT_THAT(error.what(), HasSubstr("refused with ***"));
    EXPECT_THAT(error.what(), testing::Not(HasSubstr("tok-987")));
  }

  auto slow = registry_->make_pusher(
      {kExecPusherModule, {{"command", {"sleep", "30"}}, {"timeout_seconds", 0.2}}}, env());
  try {
    slow->push(ctx, e);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("command 'sleep' timed out"));
  }
  ::unsetenv("DATABUS_TEST_EXEC_TOKEN");
}

TEST_F(ExecComponentsTest, BadSettingsAreConfigErrors) {
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {{{"command", nlohmann::json::array()}}, "command"},
      {{{"command", "cat"}}, "command"},
      {{{"command", {"cat"}}, {"timeout_seconds", 0}}, "timeout_seconds"},
      {{{"command", {"cat"}}, {"environment", {{"A", 1}}}}, "environment"},
      {{{"command", {"cat"}}, {"environment", {{"A", "${env:DATABUS_TEST_UNSET_VAR}"}}}},
       "environment"},
  };
  for (const auto& [settings, key] : cases) {
    try {
      registry_->make_pusher({kExecPusherModule, settings}, env());
      ADD_FAILURE() << settings.dump();
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), key) << settings.dump();
    }
  }
}

// Issue 18, point 3: the exec components hand a command the passenger
// whole; a spooled attachment within kWholeContentLimit is read for it, one
// above is refused, naming passenger and attachment, and nothing runs.
TEST_F(ExecComponentsTest, ProcessorReadsSpooledContentWithinItsLimitAndRefusesMore) {
  nlohmann::json argv = script("save.sh", "cat > \"$1/got.json\"; echo '{}'");
  argv.push_back(dir_.string());
  auto processor = registry_->make_processor({kExecProcessorModule, {{"command", argv}}}, env());
  DriveContext ctx = context();

  AttachmentWriter writer(SpoolSettings{dir_ / "spool", 16}, "log.txt", AttachmentFormat::text);
  writer.write(std::string(100, 'x'));
  QueueEntry e = entry();
  e.passenger.add_attachment(writer.finish());
  ASSERT_NE(e.passenger.attachments.back().spool, nullptr);
  processor->process(ctx, e);
  const nlohmann::json got = nlohmann::json::parse(read("got.json"));
  EXPECT_EQ(got["attachments"][2]["content"], std::string(100, 'x'));

  fs::remove(dir_ / "got.json");
  std::ofstream(dir_ / "huge.bin").close();
  fs::resize_file(dir_ / "huge.bin", kWholeContentLimit + 1);  // Sparse: no blocks.
  Attachment huge;
  huge.name = "huge.bin";
  huge.format = AttachmentFormat::binary;
  huge.spool =
      std::make_shared<const SpooledFile>(dir_ / "huge.bin", kWholeContentLimit + 1, "0", false);
  QueueEntry big = entry();
  big.passenger.add_attachment(std::move(huge));
  const QueueEntry before = big;
  try {
    processor->process(ctx, big);
    FAIL() << "no error";
  } catch (const ContentTooLargeError& error) {
    EXPECT_THAT(error.what(), HasSubstr("'huge.bin'"));
    EXPECT_THAT(error.what(), HasSubstr(big.passenger.describe()));
    EXPECT_THAT(error.what(), HasSubstr(std::to_string(kWholeContentLimit) + " bytes"));
  }
  EXPECT_EQ(big, before);
  EXPECT_FALSE(fs::exists(dir_ / "got.json"));
}

}  // namespace
}  // namespace databus
