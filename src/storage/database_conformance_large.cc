// The conformance suite, part 4: large attachments (docs/architecture.md
// "Large attachments"). A spooled attachment is stored with its bytes
// outside the engine's rows and read back spooled, whatever the write or
// read; the store keeps its own copy, so the puller's spool file may go; and
// deleting the entry removes those bytes.
#include <filesystem>
#include <string>

#include "databus/attachment_content.h"
#include "storage/database_conformance.h"
#include "storage/database_conformance_support.h"

namespace databus {
namespace {

using conformance::kModule;
using conformance::kT0;
using conformance::make_entry;

namespace stdfs = std::filesystem;

// A few MiB: many chunks, far above the suite's threshold.
constexpr std::size_t kLargeBytes = (std::size_t{3} << 20) + 5;

std::string pattern(std::size_t n) {
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 13 + i / 4093) & 0xFF);
  return out;
}

// Every byte of `a`, read through the stream.
std::string streamed(const Attachment& a) {
  std::string out;
  ContentReader reader(a);
  for (std::string_view chunk = reader.next(); !chunk.empty(); chunk = reader.next()) {
    out.append(chunk);
  }
  return out;
}

// The size of the largest file under `dir` (0 when none).
std::uintmax_t largest_file(const stdfs::path& dir) {
  std::uintmax_t largest = 0;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) largest = std::max(largest, it->file_size(ec));
  }
  return largest;
}

}  // namespace

TEST_P(DatabaseConformanceTest, LargeAttachmentsRoundTripOutsideTheRows) {
  const std::string bytes = pattern(kLargeBytes);
  QueueEntry e = make_entry("big", kT0);
  stdfs::path spool_file;
  {
    SpoolSettings spool{dir_ / ".spool", 64 << 10};
    AttachmentWriter writer(spool, "big.bin", AttachmentFormat::binary);
    for (std::size_t at = 0; at < bytes.size(); at += 100'000) {
      writer.write(std::string_view(bytes).substr(at, 100'000));
    }
    e.passenger.add_attachment(writer.finish());
    e.passenger.add_attachment("note.txt", AttachmentFormat::text, "small");
    ASSERT_NE(e.passenger.attachments[0].spool, nullptr);
    spool_file = e.passenger.attachments[0].spool->path();
    db_->insert_entries("demo", std::span(&e, 1));
  }
  // The store keeps its own copy: the puller's spool file goes with its handle.
  const std::string id = e.passenger.internal_id;
  e = QueueEntry();
  if (db_->engine() != "memory") {
    EXPECT_FALSE(stdfs::exists(spool_file));
  }

  const auto check = [&](const std::string& when) {
    SCOPED_TRACE(when);
    const std::optional<QueueEntry> loaded = db_->load_entry("demo", id);
    ASSERT_TRUE(loaded.has_value());
    ASSERT_EQ(loaded->passenger.attachments.size(), 2u);
    const Attachment& big = loaded->passenger.attachments[0];
    EXPECT_EQ(big.name, "big.bin");
    EXPECT_EQ(big.format, AttachmentFormat::binary);
    ASSERT_NE(big.spool, nullptr) << "read back whole";
    EXPECT_TRUE(big.content.empty());
    EXPECT_EQ(content_size(big), kLargeBytes);
    EXPECT_TRUE(streamed(big) == bytes);
    EXPECT_EQ(loaded->passenger.attachments[1].content, "small");
    EXPECT_EQ(loaded->passenger.attachments[1].spool, nullptr);

    EntryQuery query;
    query.passenger_module = kModule;
    query.with_attachments = true;
    const std::vector<QueueEntry> listed = db_->query_entries("demo", query);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0], *loaded);
    ASSERT_NE(listed[0].passenger.attachments[0].spool, nullptr);
    EXPECT_EQ(content_sha256(listed[0].passenger.attachments[0]),
              content_sha256(Attachment{"x", AttachmentFormat::binary, bytes}));
  };
  check("inserted");

  QueueEntry changed = *db_->load_entry("demo", id);
  changed.puller_notified = true;
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::statuses);
  check("statuses updated");
  // The whole entry written back from what was read: its own files.
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::everything);
  check("rewritten");

  if (db_->engine() != "memory") {  // Nothing persists.
    changed = QueueEntry();
    db_.reset();
    db_ = reopen();
    check("reopened");
    changed = *db_->load_entry("demo", id);
  }

  // Deleting the entry removes its bytes, wherever the engine kept them.
  for (auto* steps : {&changed.processor_statuses, &changed.pusher_statuses}) {
    conformance::set_all(*steps, StepStatus::complete);
  }
  changed.puller_notified = true;
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::statuses);
  changed = QueueEntry();
  EXPECT_EQ(db_->delete_complete_entries("demo", kModule, kT0 + std::chrono::hours(1)), 1u);
  EXPECT_FALSE(db_->load_entry("demo", id).has_value());
  db_.reset();  // An engine may finish its removals when it closes.
  EXPECT_LT(largest_file(dir_), kLargeBytes);
  db_ = reopen();
}

}  // namespace databus
