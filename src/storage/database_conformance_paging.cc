// The conformance suite, part 6: keyset pages (EntryQuery::after), how a
// streaming drive walks the entries earlier drives left
// (docs/architecture.md "Streaming drives").
#include <set>
#include <span>
#include <string>
#include <vector>

#include "storage/database_conformance.h"
#include "storage/database_conformance_support.h"

namespace databus {

using namespace conformance;

namespace {

// Entries e0..e(n-1), a minute apart, but e2 and e3 share e2's pull time.
std::vector<QueueEntry> page_entries(int n) {
  std::vector<QueueEntry> entries;
  for (int i = 0; i < n; ++i) {
    entries.push_back(make_entry("e" + std::to_string(i), minutes_after_t0(i == 3 ? 2 : i)));
  }
  return entries;
}

}  // namespace

// A cursor selects what follows it in the query's order, both ways, with
// ties on the pull time ordered by internal id.
TEST_P(DatabaseConformanceTest, AKeysetCursorSelectsWhatFollowsIt) {
  const std::vector<QueueEntry> entries = page_entries(6);
  db_->insert_entries("demo", entries);
  EntryQuery q;
  const std::vector<QueueEntry> all = db_->query_entries("demo", q);
  ASSERT_EQ(all.size(), 6u);
  using List = std::vector<std::string>;
  for (std::size_t i = 0; i < all.size(); ++i) {
    q.newest_first = false;
    q.after = EntryCursor::of(all[i]);
    List expected;
    for (std::size_t j = i + 1; j < all.size(); ++j)
      expected.push_back(all[j].passenger.external_id);
    EXPECT_EQ(external_id_list(db_->query_entries("demo", q)), expected) << "after " << i;
    EXPECT_EQ(db_->count_entries("demo", q), expected.size());
    q.newest_first = true;
    expected.clear();
    for (std::size_t j = i; j-- > 0;) expected.push_back(all[j].passenger.external_id);
    EXPECT_EQ(external_id_list(db_->query_entries("demo", q)), expected) << "before " << i;
  }
  // The cursor of an entry that is not stored places itself all the same.
  q.newest_first = false;
  q.after = EntryCursor{minutes_after_t0(2), ""};
  EXPECT_EQ(external_id_list(db_->query_entries("demo", q)).size(), 4u);
}

// A walk page by page that changes the set it walks (marks each page
// notified; completes the processors) sees every entry once, with the
// filters and pulled_before of a drive's queries.
TEST_P(DatabaseConformanceTest, KeysetPagesWalkAChangingSetOnce) {
  std::vector<QueueEntry> entries = page_entries(9);
  db_->insert_entries("demo", entries);
  auto walk = [&](EntryQuery q, auto change) {
    q.limit = 2;
    std::vector<std::string> seen;
    for (int pages = 0; pages < 20; ++pages) {
      std::vector<QueueEntry> page = db_->query_entries("demo", q);
      if (page.empty()) break;
      EXPECT_LE(page.size(), 2u);
      q.after = EntryCursor::of(page.back());
      for (QueueEntry& e : page) {
        seen.push_back(e.passenger.external_id);
        change(e);
      }
      db_->update_entries("demo", page, SaveScope::statuses);
    }
    return seen;
  };
  EntryQuery unnotified;
  unnotified.filter = EntryFilter::unnotified;
  unnotified.passenger_module = kModule;
  unnotified.puller_module = kPuller;
  std::vector<std::string> seen = walk(unnotified, [](QueueEntry& e) { e.puller_notified = true; });
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 9u);
  EXPECT_EQ(seen.size(), 9u);

  EntryQuery due;
  due.filter = EntryFilter::processing_due;
  due.passenger_module = kModule;
  due.due_by = Clock::now();
  due.pulled_before = minutes_after_t0(7);
  seen = walk(due, [](QueueEntry& e) { set_all(e.processor_statuses, StepStatus::complete); });
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen, (std::vector<std::string>{"e0", "e1", seen[2], seen[3], "e4", "e5", "e6"}));
  EXPECT_EQ(std::set<std::string>(seen.begin() + 2, seen.begin() + 4),
            (std::set<std::string>{"e2", "e3"}));

  due.filter = EntryFilter::push_due;
  due.pulled_before.reset();
  seen = walk(due, [](QueueEntry& e) { set_all(e.pusher_statuses, StepStatus::complete); });
  EXPECT_EQ(seen.size(), 7u);
  EntryQuery open;
  open.filter = EntryFilter::incomplete;
  EXPECT_EQ(external_ids(db_->query_entries("demo", open)), (std::set<std::string>{"e7", "e8"}));
}

}  // namespace databus
