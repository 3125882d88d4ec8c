#include "storage/entry_index.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

EntrySummary summary(std::string id, std::string external_id, int minute, bool complete) {
  EntrySummary s;
  s.internal_id = std::move(id);
  s.external_id = std::move(external_id);
  s.source_system = "SRC";
  s.passenger_module = "p";
  s.puller_module = "puller";
  s.pull_datetime = parse_iso("2024-01-01T00:00:00") + std::chrono::minutes(minute);
  s.notified = complete;
  s.processors_complete = complete;
  s.pushers_complete = complete;
  return s;
}

TEST(EntryIndexTest, ReplacingAnEntryMovesItsDedupKeyAndState) {
  EntryIndex index;
  index.put(summary("1", "A", 0, false));
  EXPECT_EQ(index.find_key("p", "SRC", "A"), "1");
  EntryQuery incomplete;
  incomplete.filter = EntryFilter::incomplete;
  EXPECT_EQ(index.count(incomplete), 1u);

  index.put(summary("1", "B", 0, true));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_FALSE(index.find_key("p", "SRC", "A"));
  EXPECT_EQ(index.find_key("p", "SRC", "B"), "1");
  EXPECT_EQ(index.count(incomplete), 0u);
  EXPECT_EQ(index.complete_before("p", parse_iso("2024-01-01T00:00:01")),
            std::vector<std::string>{"1"});
  EXPECT_TRUE(index.complete_before("p", parse_iso("2024-01-01T00:00:00")).empty());
  EXPECT_TRUE(index.complete_before("q", parse_iso("2025-01-01T00:00:00")).empty());
}

TEST(EntryIndexTest, PuttingAQueueEntryUpdatesItsStateAndKey) {
  Passenger p;
  p.internal_id = "1";
  p.external_id = "A";
  p.source_system = "SRC";
  p.passenger_module = "p";
  p.puller_module = "puller";
  QueueEntry entry = QueueEntry::seat(p, {}, {"push"});
  EntryIndex index;
  index.put(entry);
  EntryQuery unnotified;
  unnotified.filter = EntryFilter::unnotified;
  EXPECT_EQ(index.select(unnotified), std::vector<std::string>{"1"});

  entry.puller_notified = true;
  index.put(entry);
  EXPECT_EQ(index.count(unnotified), 0u);
  EXPECT_TRUE(index.find("1")->notified);
  EXPECT_EQ(index.find_key("p", "SRC", "A"), "1");

  entry.passenger.external_id = "B";
  index.put(entry);
  EXPECT_EQ(index.size(), 1u);
  EXPECT_FALSE(index.find_key("p", "SRC", "A"));
  EXPECT_EQ(index.find_key("p", "SRC", "B"), "1");
}

TEST(EntryIndexTest, ARepeatedDedupKeySurvivesTheErasureOfOneHolder) {
  EntryIndex index;
  index.put(summary("1", "A", 0, false));
  index.put(summary("2", "A", 1, false));
  index.put(summary("3", "A", 2, false));
  EXPECT_EQ(index.find_key("p", "SRC", "A"), "1");
  EXPECT_TRUE(index.erase("1"));
  EXPECT_FALSE(index.erase("1"));
  EXPECT_EQ(index.find_key("p", "SRC", "A"), "2");
  EXPECT_TRUE(index.erase("3"));
  EXPECT_TRUE(index.erase("2"));
  EXPECT_FALSE(index.find_key("p", "SRC", "A"));
  EXPECT_EQ(index.find("2"), nullptr);
}

TEST(EntryIndexTest, SelectSortsAndPages) {
  EntryIndex index;
  index.put(summary("c", "third", 2, false));
  index.put(summary("a", "first", 0, true));
  index.put(summary("b", "second", 1, false));
  EntryQuery q;
  EXPECT_EQ(index.select(q), (std::vector<std::string>{"a", "b", "c"}));
  q.newest_first = true;
  q.limit = 2;
  EXPECT_EQ(index.select(q), (std::vector<std::string>{"c", "b"}));
  q.filter = EntryFilter::unnotified;
  q.offset = 1;
  EXPECT_EQ(index.select(q), (std::vector<std::string>{"b"}));
  EXPECT_EQ(index.count(q), 2u);
}

}  // namespace
}  // namespace databus
