#include "storage/json_db/entry_journal.h"

#include <gtest/gtest.h>

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
