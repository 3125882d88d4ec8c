// Large attachments through the directory connectors (docs/architecture.md
// "Large attachments"): files above the spool threshold are spooled by the
// puller, kept by the store outside its rows, copied by the pusher in
// chunks, and arrive with the same bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "components/directory/directory_components.h"
#include "databus/attachment_content.h"
#include "databus/builtins.h"
#include "databus/factories.h"
#include "databus/uuid.h"
#include "storage/json_db/json_database.h"

namespace databus {
namespace {

namespace fs = std::filesystem;

class DirectoryLargeTest : public testing::Test {
 protected:
  DirectoryLargeTest()
      : root_(fs::path(testing::TempDir()) / ("databus_directory_large_" + new_uuid())) {
    fs::create_directories(in_);
    passenger_.name = "test.files";
    passenger_.pullers = {
        {kDirectoryPullerModule, {{"path", in_.string()}, {"done_path", done_.string()}}}};
    passenger_.pushers = {{kDirectoryPusherModule, {{"path", out_.string()}}}};
  }
  ~DirectoryLargeTest() override { fs::remove_all(root_); }

  // A file of `bytes` bytes, every chunk different; returns its SHA-256.
  std::string write(const std::string& name, std::size_t bytes, char seed) {
    std::string content(bytes, '\0');
    for (std::size_t i = 0; i < bytes; ++i) content[i] = static_cast<char>(seed + i * 31 + i / 977);
    std::ofstream(in_ / name, std::ios::binary) << content;
    return file_sha256(in_ / name);
  }

  Log drive(Database& database) {
    std::shared_ptr<Registry> registry = builtin_registry();
    registry->add_passenger(ComponentSpec{"test.files", "files", {}, {}});
    Factories factories = Factories::primal(registry);
    Log log;
    DriveRequest request;
    request.client_id = "acme";
    request.passenger = passenger_;
    request.database = &database;
    request.factories = &factories;
    request.log = &log;
    request.spool = spool_;
    factories.driver("databus.driver.primal_driver")->drive(request);
    return log;
  }

  fs::path root_;
  fs::path in_ = root_ / "in", done_ = root_ / "done", out_ = root_ / "out";
  fs::path data_ = root_ / "data";
  SpoolSettings spool_{root_ / "data" / ".spool", 64 << 10};
  ClientPassenger passenger_;
};

TEST_F(DirectoryLargeTest, FilesAboveTheThresholdArriveUnchangedThroughTheJsonDb) {
  std::map<std::string, std::string> sums = {
      {"scan.bin", write("scan.bin", (3 << 20) + 11, 1)},
      {"log.txt", ""},
      {"note.txt", ""},
  };
  std::ofstream(in_ / "log.txt") << std::string(300 << 10, 'a');  // Text, spooled.
  std::ofstream(in_ / "note.txt") << "small";
  sums["log.txt"] = file_sha256(in_ / "log.txt");
  sums["note.txt"] = file_sha256(in_ / "note.txt");
  {
    std::unique_ptr<Database> database = open_json_database({data_, {}});
    const Log log = drive(*database);
    EXPECT_FALSE(log.has_errors()) << log.to_text();
  }

  std::unique_ptr<Database> database = open_json_database({data_, {}});
  const std::vector<QueueEntry> entries = database->query_entries("acme", EntryQuery{});
  ASSERT_EQ(entries.size(), 3u);
  for (const QueueEntry& e : entries) {
    EXPECT_TRUE(e.complete());
    const Attachment& a = e.passenger.attachments.at(0);
    SCOPED_TRACE(a.name);
    // Stored outside passenger.json, read back as a stream.
    EXPECT_EQ(a.spool != nullptr, a.name != "note.txt");
    EXPECT_EQ(content_sha256(a), sums.at(a.name));
    EXPECT_EQ(a.format, a.name == "scan.bin" ? AttachmentFormat::binary : AttachmentFormat::text);
    EXPECT_EQ(file_sha256(out_ / e.passenger.internal_id / a.name), sums.at(a.name));
    EXPECT_EQ(file_sha256(done_ / a.name), sums.at(a.name));
  }
  // The puller's spool files went once the store had its copies.
  std::size_t left = 0;
  for (auto it = fs::recursive_directory_iterator(spool_.dir);
       it != fs::recursive_directory_iterator(); ++it) {
    left += it->is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(left, 0u);
}

TEST_F(DirectoryLargeTest, ThePusherCopiesSoATargetChangedInPlaceLeavesTheQueueAlone) {
  const std::string sum = write("scan.bin", (1 << 20) + 3, 7);
  std::unique_ptr<Database> database = open_json_database({data_, {}});
  const Log log = drive(*database);
  ASSERT_FALSE(log.has_errors()) << log.to_text();
  const std::vector<QueueEntry> entries = database->query_entries("acme", EntryQuery{});
  ASSERT_EQ(entries.size(), 1u);
  const fs::path pushed = out_ / entries[0].passenger.internal_id / "scan.bin";
  std::fstream(pushed, std::ios::in | std::ios::out | std::ios::binary) << "changed";
  const std::optional<QueueEntry> stored =
      database->load_entry("acme", entries[0].passenger.internal_id);
  ASSERT_TRUE(stored.has_value());
  const Attachment& a = stored->passenger.attachments.at(0);
  ASSERT_NE(a.spool, nullptr);
  EXPECT_EQ(file_sha256(a.spool->path()), sum);
}

}  // namespace
}  // namespace databus
