// The conformance suite, part 4: the retry states of steps (next attempt,
// quarantine), the queries that follow them, and the client passenger state
// documents the dispatcher keeps its bookkeeping in.
#include <algorithm>
#include <optional>
#include <set>
#include <span>

#include "databus/error.h"

#include "storage/database_conformance.h"
#include "storage/database_conformance_support.h"

namespace databus {

using namespace conformance;

// The retry states (StepState::next_attempt, quarantined) are stored, and
// the due, failing, waiting and quarantined queries follow them.
TEST_P(DatabaseConformanceTest, DueQueriesSkipWaitingAndQuarantinedSteps) {
  const TimePoint now = minutes_after_t0(5);
  auto failed = [](StepState& s, int attempts, TimePoint next) {
    s.attempts = attempts;
    s.last_error = "refused";
    s.next_attempt = next;
  };
  QueueEntry fresh = make_entry("fresh", kT0);
  QueueEntry proc_waiting = make_entry("proc_waiting", kT0);
  failed(proc_waiting.processor_statuses[0], 1, minutes_after_t0(10));
  QueueEntry proc_due = make_entry("proc_due", kT0);
  failed(proc_due.processor_statuses[0], 2, minutes_after_t0(1));
  QueueEntry proc_held = make_entry("proc_held", kT0);
  failed(proc_held.processor_statuses[0], 20, minutes_after_t0(1));
  proc_held.processor_statuses[0].quarantined = true;
  QueueEntry push_waiting = make_entry("push_waiting", kT0);
  set_all(push_waiting.processor_statuses, StepStatus::complete);
  failed(push_waiting.pusher_statuses[0], 1, minutes_after_t0(10));
  QueueEntry push_held = make_entry("push_held", kT0);
  set_all(push_held.processor_statuses, StepStatus::complete);
  failed(push_held.pusher_statuses[0], 3, {});
  push_held.pusher_statuses[0].quarantined = true;
  QueueEntry push_fresh = make_entry("push_fresh", kT0);
  set_all(push_fresh.processor_statuses, StepStatus::complete);
  std::vector<QueueEntry> all = {fresh,        proc_waiting, proc_due,  proc_held,
                                 push_waiting, push_held,    push_fresh};
  for (QueueEntry& e : all) e.puller_notified = true;
  db_->insert_entries("demo", all);
  for (const QueueEntry& e : all) EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), e);

  auto select = [&](EntryFilter filter, std::optional<TimePoint> due_by) {
    EntryQuery q;
    q.filter = filter;
    q.due_by = due_by;
    EXPECT_EQ(db_->count_entries("demo", q), db_->query_entries("demo", q).size());
    return external_ids(db_->query_entries("demo", q));
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(select(EntryFilter::processing_due, now), (Ids{"fresh", "proc_due"}));
  EXPECT_EQ(select(EntryFilter::processing_due, std::nullopt),
            (Ids{"fresh", "proc_waiting", "proc_due", "proc_held"}));
  EXPECT_EQ(select(EntryFilter::push_due, now), (Ids{"push_fresh"}));
  EXPECT_EQ(select(EntryFilter::push_due, minutes_after_t0(10)),
            (Ids{"push_waiting", "push_fresh"}));
  EXPECT_EQ(select(EntryFilter::failing, std::nullopt),
            (Ids{"proc_waiting", "proc_due", "push_waiting"}));
  EXPECT_EQ(select(EntryFilter::waiting, now), (Ids{"proc_waiting", "push_waiting"}));
  EXPECT_EQ(select(EntryFilter::quarantined, std::nullopt), (Ids{"proc_held", "push_held"}));

  // A person retries the quarantined processor; the fresh push fails.
  proc_held.processor_statuses[0].reset_failures();
  failed(push_fresh.pusher_statuses[0], 1, minutes_after_t0(30));
  db_->update_entries("demo", std::vector<QueueEntry>{proc_held, push_fresh}, SaveScope::statuses);
  EXPECT_EQ(db_->load_entry("demo", push_fresh.passenger.internal_id), push_fresh);
  EXPECT_EQ(select(EntryFilter::processing_due, now), (Ids{"fresh", "proc_due", "proc_held"}));
  EXPECT_EQ(select(EntryFilter::push_due, now), Ids{});
  EXPECT_EQ(select(EntryFilter::quarantined, std::nullopt), (Ids{"push_held"}));
  EXPECT_EQ(select(EntryFilter::waiting, now), (Ids{"proc_waiting", "push_waiting", "push_fresh"}));
  // Completing a waiting entry takes it out of every one of these.
  push_waiting.pusher_statuses[0].status = StepStatus::complete;
  push_waiting.pusher_statuses[0].reset_failures();
  db_->update_entries("demo", std::span(&push_waiting, 1), SaveScope::statuses);
  EXPECT_EQ(select(EntryFilter::waiting, now), (Ids{"proc_waiting", "push_fresh"}));
  EXPECT_EQ(select(EntryFilter::push_due, minutes_after_t0(60)), (Ids{"push_fresh"}));
}

// A drive's due query returns the entries due at once and those whose next
// attempt came together, in pull order either way, and pages through them.
TEST_P(DatabaseConformanceTest, DueQueriesKeepPullOrderAcrossFreshAndRetriedEntries) {
  std::vector<QueueEntry> all;
  for (int i = 0; i < 8; ++i) {
    QueueEntry e = make_entry("e" + std::to_string(i), minutes_after_t0(i));
    e.puller_notified = true;
    StepState& step = e.processor_statuses[0];
    if (i % 3 == 1) {  // Failed, its next attempt come.
      step.attempts = 1;
      step.next_attempt = minutes_after_t0(i + 1);
    } else if (i % 3 == 2) {  // Failed, due before the epoch: due at once too.
      step.attempts = 1;
      step.next_attempt = parse_iso("1960-01-01T00:00:00");
    }
    all.push_back(std::move(e));
  }
  // Inserted out of order.
  std::reverse(all.begin(), all.end());
  db_->insert_entries("demo", all);

  EntryQuery q;
  q.filter = EntryFilter::processing_due;
  q.due_by = minutes_after_t0(60);
  auto ids = [&] {
    std::vector<std::string> out;
    for (const QueueEntry& e : db_->query_entries("demo", q))
      out.push_back(e.passenger.external_id);
    return out;
  };
  using List = std::vector<std::string>;
  EXPECT_EQ(ids(), (List{"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"}));
  EXPECT_EQ(db_->count_entries("demo", q), 8u);
  q.newest_first = true;
  EXPECT_EQ(ids(), (List{"e7", "e6", "e5", "e4", "e3", "e2", "e1", "e0"}));
  q.newest_first = false;
  q.offset = 2;
  q.limit = 3;
  EXPECT_EQ(ids(), (List{"e2", "e3", "e4"}));
  // Two minutes after t0, of the steps that failed later than the epoch only
  // e1's next attempt has come.
  q.offset = 0;
  q.limit = 100;
  q.due_by = minutes_after_t0(2);
  EXPECT_EQ(ids(), (List{"e0", "e1", "e2", "e3", "e5", "e6"}));
}

TEST_P(DatabaseConformanceTest, PassengerStateDocumentsAreKeptPerClientPassengerAndName) {
  EXPECT_EQ(db_->read_passenger_state("demo", kModule, "puller_health"), std::nullopt);
  EXPECT_TRUE(db_->list_passenger_state("demo", kModule).empty());
  const std::string health = R"({"failures": 3, "error": "wrong password \"x\"\nline 2 ü"})";
  db_->write_passenger_state("demo", kModule, "puller_health", health);
  db_->write_passenger_state("demo", kModule, "in_flight", "{}");
  db_->write_passenger_state("demo", kOtherModule, "puller_health", "other");
  db_->write_passenger_state("acme", kModule, "puller_health", "acme's");
  EXPECT_EQ(db_->read_passenger_state("demo", kModule, "puller_health"), health);
  db_->write_passenger_state("demo", kModule, "in_flight", R"({"ids": []})");
  EXPECT_EQ(db_->list_passenger_state("demo", kModule),
            (std::map<std::string, std::string>{{"in_flight", R"({"ids": []})"},
                                                {"puller_health", health}}));
  EXPECT_EQ(db_->read_passenger_state("demo", kOtherModule, "puller_health"), "other");
  EXPECT_EQ(db_->read_passenger_state("acme", kModule, "puller_health"), "acme's");
  db_->write_passenger_state("demo", kModule, "in_flight", std::nullopt);
  db_->write_passenger_state("demo", kModule, "never_written", std::nullopt);
  EXPECT_EQ(db_->read_passenger_state("demo", kModule, "in_flight"), std::nullopt);

  for (const std::string& bad :
       std::vector<std::string>{"", "..", "a/b", "../x", std::string(101, 'n')}) {
    EXPECT_THROW(db_->write_passenger_state("demo", kModule, bad, "x"), ConfigError) << bad;
    EXPECT_THROW(db_->read_passenger_state("demo", kModule, bad), ConfigError) << bad;
  }
  EXPECT_THROW(db_->write_passenger_state("demo", "../pqueue", "n", "x"), ConfigError);

  if (db_->engine() == "memory") return;  // Nothing persists.
  db_.reset();
  db_ = reopen();
  EXPECT_EQ(db_->list_passenger_state("demo", kModule),
            (std::map<std::string, std::string>{{"puller_health", health}}));
  EXPECT_EQ(db_->read_passenger_state("acme", kModule, "puller_health"), "acme's");
}

TEST_P(DatabaseConformanceTest, UnsyncedPassengerStateWritesReadBackAndPersist) {
  db_->write_passenger_state_unsynced("demo", kModule, "running_steps", R"({"phase": "push"})");
  db_->write_passenger_state_unsynced("demo", kModule, "gone", "soon");
  EXPECT_EQ(db_->read_passenger_state("demo", kModule, "running_steps"), R"({"phase": "push"})");
  db_->write_passenger_state_unsynced("demo", kModule, "gone", std::nullopt);
  db_->write_passenger_state_unsynced("demo", kModule, "never_written", std::nullopt);
  EXPECT_EQ(db_->read_passenger_state("demo", kModule, "gone"), std::nullopt);
  // A durable write after it, as a drive's next status write.
  db_->write_passenger_state("demo", kModule, "puller_health", "{}");
  db_->write_passenger_state_unsynced("demo", kModule, "running_steps", "{}");
  EXPECT_THROW(db_->write_passenger_state_unsynced("demo", kModule, "../x", "x"), ConfigError);

  if (db_->engine() == "memory") return;  // Nothing persists.
  db_.reset();
  db_ = reopen();
  EXPECT_EQ(db_->list_passenger_state("demo", kModule),
            (std::map<std::string, std::string>{{"puller_health", "{}"}, {"running_steps", "{}"}}));
}

}  // namespace databus
