// The conformance suite, part 3: attachment names. A name longer than a
// file name allows is stored shortened, its whole name in full_name
// (attachment.h); every engine keeps both, whatever the write or read.
#include "databus/uuid.h"
#include "storage/database_conformance.h"

namespace databus {
namespace {

QueueEntry make_entry(std::string external_id) {
  Passenger p;
  p.external_id = std::move(external_id);
  p.internal_id = new_uuid();
  p.source_system = "DEMO_SYSTEM";
  p.passenger_module = "databus.passenger.demo.demo_passenger_1";
  p.puller_module = "databus.puller.demo.demo_puller_1";
  p.pull_datetime = parse_iso("2022-11-06T22:13:01.294628");
  return QueueEntry::seat(std::move(p), {"databus.processor.demo.demo_processor_1"},
                          {"databus.pusher.demo.demo_pusher_1"});
}

// The names and full names of `entry`'s attachments, in order.
std::vector<std::pair<std::string, std::string>> names_of(const QueueEntry& entry) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Attachment& a : entry.passenger.attachments) out.emplace_back(a.name, a.full_name);
  return out;
}

std::string repeated(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_P(DatabaseConformanceTest, ShortenedAttachmentNamesKeepTheirFullName) {
  // 300 bytes of ASCII; 150 two-byte letters (300 bytes); exactly 255 bytes.
  const std::string ascii = std::string(296, 'z') + ".xml";
  const std::string letters = repeated("\u00fc", 150) + ".txt";
  const std::string fits = std::string(251, 'f') + ".csv";
  QueueEntry e = make_entry("LONG");
  const std::string ascii_short = e.passenger.add_attachment(ascii, AttachmentFormat::text, "a");
  const std::string letters_short =
      e.passenger.add_attachment(letters, AttachmentFormat::binary, std::string("\0\1", 2));
  ASSERT_EQ(e.passenger.add_attachment(fits, AttachmentFormat::text, "f"), fits);
  // The same long name twice: the second short name is made unique.
  const std::string again = e.passenger.add_attachment(ascii, AttachmentFormat::text, "b");
  ASSERT_EQ(ascii_short.size(), kMaxAttachmentName);
  ASSERT_LE(letters_short.size(), kMaxAttachmentName);
  ASSERT_NE(again, ascii_short);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {ascii_short, ascii}, {letters_short, letters}, {fits, ""}, {again, ascii}};
  ASSERT_EQ(names_of(e), expected);
  db_->insert_entries("demo", std::span(&e, 1));

  std::optional<QueueEntry> loaded = db_->load_entry("demo", e.passenger.internal_id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(names_of(*loaded), expected);
  EXPECT_EQ(*loaded, e);
  EntryQuery without_content;
  without_content.with_attachments = false;
  std::vector<QueueEntry> listed = db_->query_entries("demo", without_content);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(names_of(listed[0]), expected);

  // A status write leaves them alone; a whole write replaces them.
  e.complete_all_steps();
  db_->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), e);
  e.passenger.attachments.erase(e.passenger.attachments.begin());
  const std::string other = std::string(400, 'o') + ".pdf";
  const std::string other_short = e.passenger.add_attachment(other, AttachmentFormat::text, "o");
  db_->update_entries("demo", std::span(&e, 1), SaveScope::everything);
  loaded = db_->load_entry("demo", e.passenger.internal_id);
  ASSERT_TRUE(loaded);
  const std::vector<std::pair<std::string, std::string>> rewritten = {
      {letters_short, letters}, {fits, ""}, {again, ascii}, {other_short, other}};
  EXPECT_EQ(names_of(*loaded), rewritten);
  EXPECT_EQ(*loaded, e);
  EXPECT_TRUE(db_->problems("demo").empty());
}

}  // namespace databus
