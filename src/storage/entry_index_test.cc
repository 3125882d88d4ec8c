#include "storage/entry_index.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include "databus/uuid.h"

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
  EXPECT_FALSE(index.find("2"));
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

TEST(EntryIndexTest, UuidsKeepTheirTextAndCaseAndOrder) {
  // Lower-case UUIDs are kept as bytes, anything else as text: both come
  // back exactly as given, and ids differing only in case are two entries.
  const std::string lower = "0190a3c2-7b1e-7000-8000-00000000000a";
  const std::string upper = "0190A3C2-7B1E-7000-8000-00000000000A";
  const std::string smaller = "0190a3c2-7b1e-7000-8000-000000000009";
  EntryIndex index;
  index.put(summary(lower, "A", 0, false));
  index.put(summary(upper, "A", 0, false));
  index.put(summary(smaller, "B", 0, false));
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.find(upper)->internal_id, upper);
  EXPECT_EQ(index.find(lower)->internal_id, lower);
  EXPECT_EQ(index.find(lower)->external_id, "A");
  // By text: upper case sorts before lower case.
  EXPECT_EQ(index.find_key("p", "SRC", "A"), upper);
  EntryQuery q;
  EXPECT_EQ(index.select(q), (std::vector<std::string>{upper, smaller, lower}));
  q.after = EntryCursor{summary("", "", 0, false).pull_datetime, smaller};
  EXPECT_EQ(index.select(q), std::vector<std::string>{lower});
  q.newest_first = true;
  EXPECT_EQ(index.select(q), std::vector<std::string>{upper});
  EXPECT_TRUE(index.erase(upper));
  EXPECT_EQ(index.find_key("p", "SRC", "A"), lower);
  EXPECT_FALSE(index.contains(upper));
  EXPECT_TRUE(index.contains(lower));
}

TEST(EntryIndexTest, SearchAndNamesMatchAsText) {
  EntryIndex index;
  const std::string id = "0190a3c2-7b1e-7000-8000-0000000000ff";
  index.put(summary(id, "invoice-17", 0, true));
  EntryQuery q;
  for (const char* hit : {"voice-1", "SR", "00ff", "-7b1e-"}) {
    q.search = hit;
    EXPECT_EQ(index.count(q), 1u) << hit;
  }
  q.search = "nothing";
  EXPECT_EQ(index.count(q), 0u);
  q.search.clear();
  q.passenger_module = "never-seen";
  EXPECT_EQ(index.count(q), 0u);
  q.passenger_module = "p";
  q.puller_module = "puller";
  q.filter = EntryFilter::complete;
  EXPECT_EQ(index.select(q), std::vector<std::string>{id});
  EXPECT_FALSE(index.find_key("p", "other", "invoice-17"));
}

TEST(EntryIndexTest, DueTimesFollowStatusChanges) {
  EntryIndex index;
  EntrySummary s = summary(new_uuid(), "A", 0, false);
  const TimePoint t = s.pull_datetime;
  s.processors_complete = true;
  s.due_at = t + std::chrono::hours(1);
  index.put(s);
  EntryQuery push;
  push.filter = EntryFilter::push_due;
  push.due_by = t;
  EXPECT_EQ(index.count(push), 0u);
  push.due_by = t + std::chrono::hours(2);
  EXPECT_EQ(index.count(push), 1u);
  s.due_at = t;  // Retried earlier.
  index.put(s);
  push.due_by = t;
  EXPECT_EQ(index.count(push), 1u);
  s.pushers_complete = true;
  s.notified = true;
  index.put(s);
  EXPECT_EQ(index.count(push), 0u);
  EXPECT_EQ(index.complete_before("p", t + std::chrono::seconds(1)),
            std::vector<std::string>{s.internal_id});
}

// The footprint of the index per entry: bytes the C library's allocator
// hands out while 100,000 entries are indexed, divided by 100,000. The old
// index (strings and node-based sets) took about 800 bytes an entry; this
// one is meant to stay near 130 (docs/performance.md, "Streaming drives").
TEST(EntryIndexTest, AnEntryCostsAboutOneHundredThirtyBytes) {
  constexpr std::size_t kEntries = 100'000;
  std::vector<EntrySummary> summaries;
  summaries.reserve(kEntries);
  for (std::size_t i = 0; i < kEntries; ++i) {
    EntrySummary s = summary(new_uuid(), "bench-pulled-" + std::to_string(i), 0, i % 4 != 0);
    s.source_system = i % 2 == 0 ? "SRC" : "other source";
    summaries.push_back(std::move(s));
  }
  auto in_use = [] { return static_cast<long long>(mallinfo2().uordblks); };
  const long long before = in_use();
  {
    EntryIndex index;
    for (const EntrySummary& s : summaries) index.put(s);
    ASSERT_EQ(index.size(), kEntries);
    const long long used = in_use() - before;
    if (used <= 0) GTEST_SKIP() << "the allocator does not report to mallinfo2() (a sanitizer?)";
    EXPECT_LT(used / static_cast<long long>(kEntries), 160) << used / kEntries << " bytes an entry";
    EXPECT_EQ(index.find_key("p", "SRC", "bench-pulled-4"), summaries[4].internal_id);
  }
  // What the index held goes back whole: nothing is left per entry.
  EXPECT_LT(in_use() - before, static_cast<long long>(kEntries));
}

}  // namespace
}  // namespace databus
