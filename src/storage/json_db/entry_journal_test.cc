#include "storage/json_db/entry_journal.h"

#include <gtest/gtest.h>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {
namespace {

TEST(EntryRecordTest, EachKindRoundTrips) {
  Passenger p;
  p.internal_id = new_uuid();
  p.add_attachment("a.txt", AttachmentFormat::text, "text");
  p.add_attachment("b.bin", AttachmentFormat::binary, std::string("\0\xff\x01", 3));
  const QueueEntry entry = QueueEntry::seat(std::move(p), {}, {});

  EntryRecord put = EntryRecord::decode(EntryRecord::encode_put(entry, "{json}"), "j");
  EXPECT_EQ(put.kind, EntryRecord::Kind::put);
  EXPECT_EQ(put.internal_id, entry.passenger.internal_id);
  EXPECT_EQ(put.passenger_json, "{json}");
  ASSERT_EQ(put.attachments.size(), 2u);
  EXPECT_EQ(put.attachments[0], (std::pair<std::string, std::string>{"a.txt", "text"}));
  EXPECT_EQ(put.attachments[1].second, std::string("\0\xff\x01", 3));

  EntryRecord statuses = EntryRecord::decode(EntryRecord::encode_statuses("id-1", "{s}"), "j");
  EXPECT_EQ(statuses.kind, EntryRecord::Kind::statuses);
  EXPECT_EQ(statuses.internal_id, "id-1");
  EXPECT_EQ(statuses.passenger_json, "{s}");
  EXPECT_TRUE(statuses.attachments.empty());

  EntryRecord remove = EntryRecord::decode(EntryRecord::encode_remove("id-2"), "j");
  EXPECT_EQ(remove.kind, EntryRecord::Kind::remove);
  EXPECT_EQ(remove.internal_id, "id-2");
}

TEST(EntryRecordTest, ALargeAttachmentIsJournaledByItsBlobNotItsBytes) {
  Passenger p;
  p.internal_id = new_uuid();
  p.add_attachment("a.txt", AttachmentFormat::text, "text");
  Attachment big;
  big.name = "big.bin";
  big.spool = std::make_shared<const SpooledFile>("/spool/x", 123456789, "ab12", false);
  p.add_attachment(std::move(big));
  const QueueEntry entry = QueueEntry::seat(std::move(p), {}, {});

  const std::string bytes = EntryRecord::encode_put(entry, "{json}");
  EXPECT_LT(bytes.size(), 200u);
  const EntryRecord put = EntryRecord::decode(bytes, "/data/clients/c/pqueue.journal");
  EXPECT_EQ(put.kind, EntryRecord::Kind::put);
  ASSERT_EQ(put.attachments.size(), 1u);
  EXPECT_EQ(put.attachments[0].second, "text");
  ASSERT_EQ(put.spooled.size(), 1u);
  const Attachment& blob = put.spooled[0];
  EXPECT_EQ(blob.name, "big.bin");
  ASSERT_NE(blob.spool, nullptr);
  EXPECT_EQ(blob.spool->size(), 123456789u);
  EXPECT_EQ(blob.spool->sha256(), "ab12");
  EXPECT_EQ(blob.spool->path(), std::filesystem::path("/data/clients/c/pqueue.blobs") /
                                    entry.passenger.internal_id / "big.bin");
  EXPECT_FALSE(blob.spool->temporary());
}

TEST(EntryRecordTest, MalformedBytesAreReportedWithThePath) {
  const std::string good = EntryRecord::encode_statuses("id", "{}");
  for (const std::string& bad :
       {std::string("X"), good.substr(0, good.size() - 1), good + "!", std::string()}) {
    try {
      EntryRecord::decode(bad, "clients/c/pqueue.journal");
      ADD_FAILURE() << "decoded " << bad.size() << " bad bytes";
    } catch (const CorruptDataError& e) {
      EXPECT_NE(std::string(e.what()).find("clients/c/pqueue.journal"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace databus
