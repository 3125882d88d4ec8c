// The directory puller and pusher on real folders, alone and in a drive.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "components/directory/directory_components.h"
#include "databus/builtins.h"
#include "databus/error.h"
#include "databus/factories.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "storage/json_db/json_database.h"
#include "storage/memory/memory_database.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using testing::ElementsAre;
using testing::UnorderedElementsAre;

class DirectoryConnectorsTest : public testing::Test {
 protected:
  DirectoryConnectorsTest()
      : root_(fs::path(testing::TempDir()) / ("databus_directory_test_" + new_uuid())),
        in_(root_ / "in"),
        done_(root_ / "done"),
        out_(root_ / "out") {
    fs::create_directories(in_);
    passenger_.name = "test.files";
  }
  ~DirectoryConnectorsTest() override { fs::remove_all(root_); }

  static void write(const fs::path& file, const std::string& content) {
    std::ofstream(file, std::ios::binary) << content;
  }
  static std::string read(const fs::path& file) { return durable::read_file(file); }
  static std::vector<std::string> names(const fs::path& dir) {
    std::vector<std::string> out;
    if (!fs::exists(dir)) return out;
    for (const auto& item : fs::directory_iterator(dir)) {
      out.push_back(item.path().filename().string());
    }
    return out;
  }

  ComponentEnv env(nlohmann::json settings, const std::string& module) {
    ComponentEnv e;
    e.client_id = "acme";
    e.passenger = passenger_.name;
    e.module = module;
    e.settings = std::move(settings);
    return e;
  }
  // A puller of in_ moving what it was told about to done_.
  DirectoryPuller puller() {
    return DirectoryPuller(
        env({{"path", in_.string()}, {"done_path", done_.string()}}, kDirectoryPullerModule));
  }
  DriveContext context() {
    return DriveContext("acme", passenger_, log_, [this] {
      Passenger p;
      p.passenger_module = passenger_.name;
      return p;
    });
  }

  fs::path root_, in_, done_, out_;
  ClientPassenger passenger_;
  Log log_;
};

TEST_F(DirectoryConnectorsTest, PullsEachMatchingRegularFile) {
  write(in_ / "b.bin", std::string("\x89PNG\0\1", 6));
  write(in_ / "a.txt", "hello");
  write(in_ / ".hidden", "x");
  write(in_ / "c.txt.tmp-1234", "half written");
  fs::create_directories(in_ / "sub");
  DirectoryPuller p = puller();
  DriveContext ctx = context();

  std::vector<Passenger> got = p.pull(ctx);

  ASSERT_EQ(got.size(), 2u);
  EXPECT_THAT(got[0].external_id, testing::StartsWith("a.txt:5:"));
  EXPECT_EQ(got[0].source_system, "directory");
  EXPECT_EQ(got[0].puller_module, kDirectoryPullerModule);
  ASSERT_EQ(got[0].attachments.size(), 1u);
  EXPECT_EQ(got[0].attachments[0].name, "a.txt");
  EXPECT_EQ(got[0].attachments[0].format, AttachmentFormat::text);
  EXPECT_EQ(got[0].attachments[0].content, "hello");
  EXPECT_THAT(got[1].external_id, testing::StartsWith("b.bin:6:"));
  EXPECT_EQ(got[1].attachments[0].format, AttachmentFormat::binary);
  EXPECT_EQ(got[1].attachments[0].content.size(), 6u);
}

TEST_F(DirectoryConnectorsTest, AppliesThePatternAndSourceSystem) {
  write(in_ / "a.txt", "a");
  write(in_ / "b.csv", "b");
  DirectoryPuller p(env({{"path", in_.string()},
                         {"pattern", "*.csv"},
                         {"source_system", "SFTP_DROP"},
                         {"delete_after_notify", true}},
                        kDirectoryPullerModule));
  DriveContext ctx = context();
  std::vector<Passenger> got = p.pull(ctx);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].attachments[0].name, "b.csv");
  EXPECT_EQ(got[0].source_system, "SFTP_DROP");
}

TEST_F(DirectoryConnectorsTest, PeekMovesNothing) {
  write(in_ / "a.txt", "a");
  DirectoryPuller p = puller();
  DriveContext ctx = context();
  EXPECT_EQ(p.peek(ctx).size(), 1u);
  EXPECT_EQ(p.peek(ctx).size(), 1u);
  EXPECT_THAT(names(in_), ElementsAre("a.txt"));
}

TEST_F(DirectoryConnectorsTest, NotifyMovesFilesToDonePathAndMayBeRepeated) {
  write(in_ / "a.txt", "a");
  write(in_ / "b.txt", "b");
  DirectoryPuller p = puller();
  DriveContext ctx = context();
  std::vector<Passenger> got = p.pull(ctx);

  p.notify(ctx, got);

  EXPECT_TRUE(names(in_).empty());
  EXPECT_THAT(names(done_), UnorderedElementsAre("a.txt", "b.txt"));
  EXPECT_EQ(read(done_ / "a.txt"), "a");
  EXPECT_NO_THROW(p.notify(ctx, got));  // After a crash before mark_notified.
  EXPECT_TRUE(p.pull(ctx).empty());
}

TEST_F(DirectoryConnectorsTest, NotifyKeepsAnOlderFileOfTheSameNameInDonePath) {
  fs::create_directories(done_);
  write(done_ / "a.txt", "old");
  write(in_ / "a.txt", "new");
  DirectoryPuller p = puller();
  DriveContext ctx = context();
  p.notify(ctx, p.pull(ctx));
  EXPECT_EQ(read(done_ / "a.txt"), "old");
  EXPECT_EQ(read(done_ / "a.txt.2"), "new");
}

TEST_F(DirectoryConnectorsTest, NotifyCanDeleteFiles) {
  write(in_ / "a.txt", "a");
  DirectoryPuller p(
      env({{"path", in_.string()}, {"delete_after_notify", true}}, kDirectoryPullerModule));
  DriveContext ctx = context();
  std::vector<Passenger> got = p.pull(ctx);
  p.notify(ctx, got);
  EXPECT_TRUE(names(in_).empty());
  EXPECT_NO_THROW(p.notify(ctx, got));
}

TEST_F(DirectoryConnectorsTest, NotifyLeavesAFileChangedSinceThePull) {
  write(in_ / "a.txt", "a");
  DirectoryPuller p = puller();
  DriveContext ctx = context();
  std::vector<Passenger> got = p.pull(ctx);
  write(in_ / "a.txt", "a newer, longer version");

  p.notify(ctx, got);

  EXPECT_EQ(read(in_ / "a.txt"), "a newer, longer version");
  std::vector<Passenger> again = p.pull(ctx);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].external_id, got[0].external_id);
}

TEST_F(DirectoryConnectorsTest, LinksLeadingOutOfTheFolderAreNotReadAndAreReported) {
  const fs::path elsewhere = root_ / "elsewhere";
  fs::create_directories(elsewhere / "deeper");
  write(elsewhere / "shadow", "TOP SECRET");
  write(elsewhere / "deeper" / "key", "TOP SECRET");
  fs::create_symlink(elsewhere / "shadow", in_ / "absolute");   // /.../elsewhere/shadow
  fs::create_symlink("../elsewhere/shadow", in_ / "relative");  // climbs out
  fs::create_symlink(elsewhere, in_ / "door");                  // a folder outside...
  fs::create_symlink("door/deeper/key", in_ / "through");       // ...and a path through it
  fs::create_symlink(in_ / "relative", in_ / "chained");        // a link to a link out
  write(in_ / "plain.txt", "plain");
  DirectoryPuller p = puller();
  DriveContext ctx = context();

  std::vector<Passenger> got = p.pull(ctx);

  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].attachments[0].content, "plain");
  for (const char* link : {"absolute", "relative", "through", "chained"}) {
    bool reported = false;
    for (const LogEntry& e : log_.entries()) {
      reported = reported || (e.type == LogType::error &&
                              e.message.find((in_ / link).string() + " is a symbolic link") !=
                                  std::string::npos &&
                              e.message.find("outside the folder") != std::string::npos);
    }
    EXPECT_TRUE(reported) << link << "\n" << log_.to_text();
  }
  p.notify(ctx, got);
  EXPECT_EQ(read(elsewhere / "shadow"), "TOP SECRET");  // Left alone.
  EXPECT_TRUE(fs::is_symlink(in_ / "absolute"));
}

TEST_F(DirectoryConnectorsTest, LinksToFilesInsideTheFolderAreRead) {
  fs::create_directories(in_ / "sub");
  write(in_ / "sub" / "real.txt", "inside");
  write(in_ / "a.txt", "alpha");
  fs::create_symlink("sub/real.txt", in_ / "relative.txt");
  fs::create_symlink(in_ / "a.txt", in_ / "absolute.txt");
  DirectoryPuller p(
      env({{"path", in_.string()}, {"pattern", "*.txt"}, {"done_path", done_.string()}},
          kDirectoryPullerModule));
  DriveContext ctx = context();

  std::vector<Passenger> got = p.pull(ctx);

  ASSERT_EQ(got.size(), 3u) << log_.to_text();
  EXPECT_EQ(got[0].attachments[0].name, "a.txt");
  EXPECT_EQ(got[1].attachments[0].name, "absolute.txt");
  EXPECT_EQ(got[1].attachments[0].content, "alpha");
  EXPECT_EQ(got[2].attachments[0].name, "relative.txt");
  EXPECT_EQ(got[2].attachments[0].content, "inside");
  EXPECT_FALSE(log_.has_errors()) << log_.to_text();
  // The links themselves are moved, not what they lead to.
  p.notify(ctx, got);
  EXPECT_TRUE(fs::is_symlink(done_ / "relative.txt"));
  EXPECT_EQ(read(in_ / "sub" / "real.txt"), "inside");
}

TEST_F(DirectoryConnectorsTest, APullOfAMissingFolderFails) {
  fs::remove_all(in_);
  DirectoryPuller p = puller();
  DriveContext ctx = context();
  EXPECT_THROW(p.pull(ctx), StorageError);
}

TEST_F(DirectoryConnectorsTest, PushWritesOneFolderPerPassenger) {
  DirectoryPusher pusher(env({{"path", out_.string()}}, kDirectoryPusherModule));
  DriveContext ctx = context();
  QueueEntry entry;
  entry.passenger = ctx.new_passenger("E1", "SRC", "test.puller");
  entry.passenger.add_attachment("a.txt", AttachmentFormat::text, "alpha");
  entry.passenger.add_attachment("a.txt", AttachmentFormat::text, "second");
  entry.passenger.add_attachment("img.png", AttachmentFormat::binary, std::string("\0\1\2", 3));

  pusher.push(ctx, entry);
  pusher.flush(ctx);

  const fs::path folder = out_ / entry.passenger.internal_id;
  EXPECT_THAT(names(out_), ElementsAre(entry.passenger.internal_id));
  EXPECT_THAT(names(folder), UnorderedElementsAre("a.txt", "a (2).txt", "img.png"));
  EXPECT_EQ(read(folder / "a (2).txt"), "second");
  EXPECT_EQ(read(folder / "img.png"), std::string("\0\1\2", 3));
}

TEST_F(DirectoryConnectorsTest, ARepeatedPushReplacesTheFolderAndItsLeftovers) {
  DirectoryPusher pusher(env({{"path", out_.string()}}, kDirectoryPusherModule));
  DriveContext ctx = context();
  QueueEntry entry;
  entry.passenger = ctx.new_passenger("E1", "SRC", "test.puller");
  entry.passenger.add_attachment("a.txt", AttachmentFormat::text, "one");
  entry.passenger.add_attachment("b.txt", AttachmentFormat::text, "two");
  pusher.push(ctx, entry);
  pusher.flush(ctx);
  const std::string id = entry.passenger.internal_id;
  fs::create_directories(out_ / (id + ".tmp-deadbeef"));  // A crashed push.
  entry.passenger.attachments = {{"a.txt", AttachmentFormat::text, "three"}};

  // The next drive's pusher.
  DirectoryPusher again(env({{"path", out_.string()}}, kDirectoryPusherModule));
  again.push(ctx, entry);
  again.flush(ctx);

  EXPECT_THAT(names(out_), ElementsAre(id));
  EXPECT_THAT(names(out_ / id), ElementsAre("a.txt"));
  EXPECT_EQ(read(out_ / id / "a.txt"), "three");
}

TEST_F(DirectoryConnectorsTest, PushedFoldersAppearOnlyAtFlushAndWholly) {
  auto pusher =
      std::make_unique<DirectoryPusher>(env({{"path", out_.string()}}, kDirectoryPusherModule));
  DriveContext ctx = context();
  std::vector<QueueEntry> entries(3);
  for (QueueEntry& e : entries) {
    e.passenger = ctx.new_passenger("E", "SRC", "test.puller");
    e.passenger.add_attachment("a.txt", AttachmentFormat::text, "alpha");
    pusher->push(ctx, e);
  }
  // Written, not published: only temporaries, which every reader skips.
  for (const std::string& name : names(out_)) EXPECT_TRUE(durable::is_temporary_name(name));

  pusher->flush(ctx);

  std::vector<std::string> ids;
  for (const QueueEntry& e : entries) ids.push_back(e.passenger.internal_id);
  EXPECT_THAT(names(out_), UnorderedElementsAre(ids[0], ids[1], ids[2]));
  for (const std::string& id : ids) EXPECT_EQ(read(out_ / id / "a.txt"), "alpha");

  // A push never flushed (the drive stopped) leaves nothing behind.
  QueueEntry late;
  late.passenger = ctx.new_passenger("L", "SRC", "test.puller");
  pusher->push(ctx, late);
  pusher.reset();
  EXPECT_THAT(names(out_), UnorderedElementsAre(ids[0], ids[1], ids[2]));
}

TEST_F(DirectoryConnectorsTest, PushRefusesAnInternalIdThatIsNotAUuid) {
  DirectoryPusher pusher(env({{"path", out_.string()}}, kDirectoryPusherModule));
  DriveContext ctx = context();
  QueueEntry entry;
  entry.passenger.internal_id = "../escape";
  EXPECT_THROW(pusher.push(ctx, entry), Error);
  EXPECT_FALSE(fs::exists(root_ / "escape"));
}

TEST_F(DirectoryConnectorsTest, RoundTripThroughADrive) {
  std::shared_ptr<Registry> registry = builtin_registry();
  registry->add_passenger(ComponentSpec{"test.files", "files", {}, {}});
  passenger_.pullers = {
      {kDirectoryPullerModule, {{"path", in_.string()}, {"done_path", done_.string()}}}};
  passenger_.pushers = {{kDirectoryPusherModule, {{"path", out_.string()}}}};
  write(in_ / "order 1.json", "{\"id\": 1}");
  write(in_ / "scan.pdf", std::string("%PDF\xff\xfe", 6));
  MemoryDatabase database;
  Factories factories = Factories::primal(registry);

  auto drive = [&] {
    Log log;
    DriveRequest request;
    request.client_id = "acme";
    request.passenger = passenger_;
    request.database = &database;
    request.factories = &factories;
    request.log = &log;
    factories.driver("databus.driver.primal_driver")->drive(request);
    return log;
  };
  Log first = drive();
  EXPECT_FALSE(first.has_errors()) << first.to_text();

  std::vector<QueueEntry> entries = database.query_entries("acme", EntryQuery{});
  ASSERT_EQ(entries.size(), 2u);
  for (const QueueEntry& e : entries) {
    EXPECT_TRUE(e.complete());
    const Attachment& a = e.passenger.attachments.at(0);
    EXPECT_EQ(read(out_ / e.passenger.internal_id / a.name), a.content);
  }
  EXPECT_TRUE(names(in_).empty());
  EXPECT_THAT(names(done_), UnorderedElementsAre("order 1.json", "scan.pdf"));
  EXPECT_EQ(read(done_ / "scan.pdf"), std::string("%PDF\xff\xfe", 6));

  Log second = drive();
  EXPECT_FALSE(second.has_errors()) << second.to_text();
  EXPECT_EQ(database.query_entries("acme", EntryQuery{}).size(), 2u);
}

TEST_F(DirectoryConnectorsTest, NamesWithSpacesAndNonAsciiLettersKeepTheirNames) {
  // Folders and files named as users name them: spaces, umlauts, accents.
  const fs::path in = root_ / "in b\xC3\xB6x";      // "in böx"
  const fs::path out = root_ / "aus g\xC3\xA4nge";  // "aus gänge"
  const fs::path data = root_ / "data";
  const std::string umlaut = "\xC3\xBC.txt";  // "ü.txt"
  const std::string accents = "r\xC3\xA9sum\xC3\xA9 final.pdf";
  fs::create_directories(in);
  write(in / umlaut, "u");
  write(in / "a b.txt", "a b");
  write(in / accents, std::string("%PDF\xff", 5));

  std::shared_ptr<Registry> registry = builtin_registry();
  registry->add_passenger(ComponentSpec{"test.files", "files", {}, {}});
  passenger_.pullers = {
      {kDirectoryPullerModule, {{"path", in.string()}, {"done_path", done_.string()}}}};
  passenger_.pushers = {{kDirectoryPusherModule, {{"path", out.string()}}}};
  Factories factories = Factories::primal(registry);
  {
    std::unique_ptr<Database> database = open_json_database({data, {}});
    Log log;
    DriveRequest request;
    request.client_id = "acme";
    request.passenger = passenger_;
    request.database = database.get();
    request.factories = &factories;
    request.log = &log;
    factories.driver("databus.driver.primal_driver")->drive(request);
    EXPECT_FALSE(log.has_errors()) << log.to_text();
  }

  // Read back from a fresh JSON DB: the names are the files' names.
  std::unique_ptr<Database> database = open_json_database({data, {}});
  std::vector<std::string> stored;
  for (const QueueEntry& e : database->query_entries("acme", EntryQuery{})) {
    EXPECT_TRUE(e.complete());
    ASSERT_EQ(e.passenger.attachments.size(), 1u);
    const Attachment& a = e.passenger.attachments[0];
    stored.push_back(a.name);
    EXPECT_EQ(read(data / "clients/acme/pqueue" / e.passenger.internal_id / "attachments" / a.name),
              a.content);
    EXPECT_EQ(read(out / e.passenger.internal_id / a.name), a.content);
  }
  EXPECT_THAT(stored, UnorderedElementsAre(umlaut, "a b.txt", accents));
  EXPECT_TRUE(database->problems("acme").empty());
  EXPECT_THAT(names(done_), UnorderedElementsAre(umlaut, "a b.txt", accents));
}

}  // namespace
}  // namespace databus
