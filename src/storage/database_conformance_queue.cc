// The conformance suite, part 2: the queue (insert, update, query, dedup,
// purge, concurrency).
#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/database_conformance.h"
#include "storage/database_conformance_support.h"

namespace databus {

using namespace conformance;

TEST_P(DatabaseConformanceTest, InsertedEntryLoadsEqual) {
  QueueEntry e = make_entry("ID_1_1", kT0);
  e.passenger.add_attachment("puller1_file1.txt", AttachmentFormat::text, "Lorem Ipsum\r\nÄöü");
  e.passenger.add_attachment("image.png", AttachmentFormat::binary, kBinary);
  e.passenger.add_attachment("empty.bin", AttachmentFormat::binary, "");
  e.passenger.add_log_guid(new_uuid());
  e.puller_notified = true;
  e.processor_statuses[0] = {kProcessors[0], StepStatus::complete, 0, ""};
  e.processor_statuses[1] = {kProcessors[1], StepStatus::incomplete, 3, "connection refused"};
  e.pusher_statuses[0].status = StepStatus::undefined;
  db_->insert_entries("demo", std::span(&e, 1));

  std::optional<QueueEntry> loaded = db_->load_entry("demo", e.passenger.internal_id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, e);
  ASSERT_EQ(loaded->passenger.attachments.size(), 3u);
  EXPECT_EQ(loaded->passenger.attachments[1].content.size(), kBinary.size());
  EXPECT_EQ(db_->query_entries("demo", EntryQuery{}), std::vector<QueueEntry>{e});
  EXPECT_TRUE(db_->problems("demo").empty());
}

TEST_P(DatabaseConformanceTest, UnknownEntriesAreNotFound) {
  EXPECT_FALSE(db_->load_entry("demo", new_uuid()));
  QueueEntry stranger = make_entry("X", kT0);
  EXPECT_THROW(db_->update_entries("demo", std::span(&stranger, 1), SaveScope::statuses),
               NotFoundError);
  EXPECT_THROW(db_->update_entries("demo", std::span(&stranger, 1), SaveScope::everything),
               NotFoundError);
  EXPECT_FALSE(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "X"));
  EXPECT_TRUE(db_->query_entries("nobody", EntryQuery{}).empty());
  EXPECT_EQ(db_->count_entries("nobody", EntryQuery{}), 0u);
  EXPECT_THROW(db_->load_entry("demo", "../../config.json"), ConfigError);
  stranger.passenger.internal_id = "../escape";
  EXPECT_THROW(db_->insert_entries("demo", std::span(&stranger, 1)), ConfigError);
}

TEST_P(DatabaseConformanceTest, UpdateStatusesKeepsThePassenger) {
  QueueEntry e = make_entry("ID_1_1", kT0);
  e.passenger.add_attachment("a.txt", AttachmentFormat::text, "original");
  db_->insert_entries("demo", std::span(&e, 1));

  QueueEntry changed = e;
  changed.puller_notified = true;
  changed.processor_statuses[0].status = StepStatus::complete;
  changed.pusher_statuses[0] = {kPushers[0], StepStatus::incomplete, 2, "HTTP 503"};
  changed.passenger.add_log_guid(new_uuid());
  changed.passenger.external_id = "CHANGED";
  changed.passenger.attachments[0].content = "changed";
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::statuses);

  QueueEntry expected = e;
  expected.puller_notified = true;
  expected.processor_statuses = changed.processor_statuses;
  expected.pusher_statuses = changed.pusher_statuses;
  expected.passenger.log_guids = changed.passenger.log_guids;
  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), expected);
  EXPECT_TRUE(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "ID_1_1"));
  EXPECT_FALSE(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "CHANGED"));
}

// Passenger::add_log_guid keeps the last kMaxLogGuids ids and counts the
// dropped ones; every engine stores both, by either kind of write.
TEST_P(DatabaseConformanceTest, LogGuidsKeepTheLastOnesAndTheCountOfDropped) {
  QueueEntry e = make_entry("ID_1_1", kT0);
  std::vector<std::string> guids;
  for (std::size_t i = 0; i < Passenger::kMaxLogGuids + 5; ++i) {
    guids.push_back(new_uuid());
    e.passenger.add_log_guid(guids.back());
  }
  ASSERT_EQ(e.passenger.log_guids.size(), Passenger::kMaxLogGuids);
  ASSERT_EQ(e.passenger.log_guids_dropped, 5u);
  EXPECT_EQ(e.passenger.log_guids.front(), guids[5]);
  EXPECT_EQ(e.passenger.log_guids.back(), guids.back());
  db_->insert_entries("demo", std::span(&e, 1));
  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), e);

  for (SaveScope scope : {SaveScope::statuses, SaveScope::everything}) {
    e.passenger.add_log_guid(new_uuid());
    db_->update_entries("demo", std::span(&e, 1), scope);
    const std::optional<QueueEntry> loaded = db_->load_entry("demo", e.passenger.internal_id);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->passenger.log_guids, e.passenger.log_guids);
    EXPECT_EQ(loaded->passenger.log_guids_dropped, e.passenger.log_guids_dropped);
  }
  EXPECT_EQ(e.passenger.log_guids_dropped, 7u);
}

// A statuses write keeps the stored fields even when the passenger in hand
// differs (above); completing or reopening it must move the stored entry in
// and out of the incomplete ones all the same.
TEST_P(DatabaseConformanceTest, StatusesWriteCompletesAndReopensWhateverTheFieldsInHand) {
  QueueEntry e = make_entry("ID_1_1", kT0);
  db_->insert_entries("demo", std::span(&e, 1));
  QueueEntry changed = e;
  changed.passenger.passenger_module = kOtherModule;
  changed.passenger.pull_datetime = minutes_after_t0(5);
  changed.puller_notified = true;
  changed.complete_all_steps();
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::statuses);

  auto select = [&](EntryFilter filter) {
    EntryQuery q;
    q.filter = filter;
    return external_ids(db_->query_entries("demo", q));
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(select(EntryFilter::incomplete), Ids{});
  EXPECT_EQ(select(EntryFilter::complete), Ids{"ID_1_1"});

  changed.pusher_statuses[0].status = StepStatus::incomplete;
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::statuses);
  EXPECT_EQ(select(EntryFilter::incomplete), Ids{"ID_1_1"});
  EXPECT_EQ(select(EntryFilter::complete), Ids{});
  EntryQuery of_module;
  of_module.filter = EntryFilter::push_due;
  of_module.passenger_module = kModule;  // The stored field, not the one in hand.
  EXPECT_EQ(external_ids(db_->query_entries("demo", of_module)), Ids{"ID_1_1"});

  e.puller_notified = true;
  e.complete_all_steps();  // In hand as stored now: closed by its key.
  db_->update_entries("demo", std::span(&e, 1), SaveScope::statuses);
  EXPECT_EQ(select(EntryFilter::incomplete), Ids{});
}

TEST_P(DatabaseConformanceTest, UpdateEverythingRewritesFieldsAndAttachments) {
  QueueEntry e = make_entry("ID_1_1", kT0);
  e.passenger.add_attachment("keep.txt", AttachmentFormat::text, "v1");
  e.passenger.add_attachment("drop.bin", AttachmentFormat::binary, kBinary);
  QueueEntry other = make_entry("ID_1_2", kT0);
  db_->insert_entries("demo", std::vector<QueueEntry>{e, other});

  QueueEntry changed = e;
  changed.passenger.external_id = "ID_1_1b";
  changed.passenger.source_system = "OTHER_SYSTEM";
  changed.passenger.pull_datetime = minutes_after_t0(5);
  changed.passenger.attachments.erase(changed.passenger.attachments.begin() + 1);
  changed.passenger.attachments[0].content = "v2 longer than before";
  changed.passenger.add_attachment("new.bin", AttachmentFormat::binary, kBinary + kBinary);
  changed.complete_all_steps();
  changed.puller_notified = true;
  db_->update_entries("demo", std::span(&changed, 1), SaveScope::everything);

  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), changed);
  EXPECT_EQ(db_->load_entry("demo", other.passenger.internal_id), other);
  EXPECT_FALSE(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "ID_1_1"));
  EXPECT_EQ(db_->find_entry("demo", kModule, "OTHER_SYSTEM", "ID_1_1b"), e.passenger.internal_id);
  EntryQuery complete;
  complete.filter = EntryFilter::complete;
  EXPECT_EQ(external_ids(db_->query_entries("demo", complete)), std::set<std::string>{"ID_1_1b"});
}

TEST_P(DatabaseConformanceTest, EveryFilterSelectsItsEntries) {
  QueueEntry fresh = make_entry("fresh", kT0);  // Not notified, nothing done.
  QueueEntry processing = make_entry("processing", kT0);
  processing.puller_notified = true;
  processing.processor_statuses[0].status = StepStatus::complete;
  QueueEntry pushing = make_entry("pushing", kT0);
  pushing.puller_notified = true;
  set_all(pushing.processor_statuses, StepStatus::complete);
  QueueEntry unnotified_done = make_entry("unnotified_done", kT0);
  unnotified_done.complete_all_steps();
  QueueEntry done = make_entry("done", kT0);
  done.complete_all_steps();
  done.puller_notified = true;
  QueueEntry undefined_push = make_entry("undefined_push", kT0);
  undefined_push.puller_notified = true;
  set_all(undefined_push.processor_statuses, StepStatus::complete);
  set_all(undefined_push.pusher_statuses, StepStatus::undefined);
  db_->insert_entries("demo", std::vector<QueueEntry>{fresh, processing, pushing, unnotified_done,
                                                      done, undefined_push});

  auto select = [&](EntryFilter filter) {
    EntryQuery q;
    q.filter = filter;
    EXPECT_EQ(db_->count_entries("demo", q), db_->query_entries("demo", q).size());
    return external_ids(db_->query_entries("demo", q));
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(select(EntryFilter::all),
            (Ids{"fresh", "processing", "pushing", "unnotified_done", "done", "undefined_push"}));
  EXPECT_EQ(select(EntryFilter::unnotified), (Ids{"fresh", "unnotified_done"}));
  EXPECT_EQ(select(EntryFilter::processing_due), (Ids{"fresh", "processing"}));
  EXPECT_EQ(select(EntryFilter::push_due), (Ids{"pushing", "undefined_push"}));
  EXPECT_EQ(select(EntryFilter::incomplete),
            (Ids{"fresh", "processing", "pushing", "unnotified_done", "undefined_push"}));
  EXPECT_EQ(select(EntryFilter::complete), (Ids{"done"}));
}

TEST_P(DatabaseConformanceTest, ModulePullerDateAndSearchFilters) {
  std::vector<QueueEntry> entries = {
      make_entry("A-100", minutes_after_t0(0)),
      make_entry("B-200", minutes_after_t0(1), kModule, "databus.puller.demo.demo_puller_3"),
      make_entry("C-300", minutes_after_t0(2), kOtherModule, "databus.puller.demo.demo_puller_2",
                 "ERP"),
      make_entry("D-400", minutes_after_t0(3), kModule, kPuller, "ERP"),
  };
  db_->insert_entries("demo", entries);
  auto select = [&](const EntryQuery& q) {
    EXPECT_EQ(db_->count_entries("demo", q), db_->query_entries("demo", q).size());
    return external_ids(db_->query_entries("demo", q));
  };
  using Ids = std::set<std::string>;
  EntryQuery q;
  q.passenger_module = kModule;
  EXPECT_EQ(select(q), (Ids{"A-100", "B-200", "D-400"}));
  q.puller_module = kPuller;
  EXPECT_EQ(select(q), (Ids{"A-100", "D-400"}));
  q = EntryQuery{};
  q.pulled_before = minutes_after_t0(2);
  EXPECT_EQ(select(q), (Ids{"A-100", "B-200"}));
  q = EntryQuery{};
  q.search = "ERP";  // source_system
  EXPECT_EQ(select(q), (Ids{"C-300", "D-400"}));
  q.search = "-300";  // external_id
  EXPECT_EQ(select(q), (Ids{"C-300"}));
  q.search = entries[1].passenger.internal_id.substr(9, 9);  // internal_id
  EXPECT_EQ(select(q), (Ids{"B-200"}));
  q.search = "erp";  // case-sensitive
  EXPECT_TRUE(select(q).empty());
  q = EntryQuery{};
  q.passenger_module = kOtherModule;
  q.filter = EntryFilter::unnotified;
  q.puller_module = "databus.puller.demo.demo_puller_2";
  q.pulled_before = minutes_after_t0(3);
  q.search = "C-";
  EXPECT_EQ(select(q), (Ids{"C-300"}));
}

TEST_P(DatabaseConformanceTest, OrderOffsetLimitAndCount) {
  std::vector<QueueEntry> entries = {make_entry("third", minutes_after_t0(2)),
                                     make_entry("first", minutes_after_t0(0)),
                                     make_entry("second", minutes_after_t0(1))};
  QueueEntry tie_a = make_entry("tie", minutes_after_t0(3));
  QueueEntry tie_b = make_entry("tie", minutes_after_t0(3), kModule, kPuller, "OTHER");
  if (tie_b.passenger.internal_id < tie_a.passenger.internal_id) std::swap(tie_a, tie_b);
  tie_a.passenger.external_id = "tie_a";
  tie_b.passenger.external_id = "tie_b";
  entries.push_back(tie_b);
  entries.push_back(tie_a);
  db_->insert_entries("demo", entries);

  EntryQuery q;
  using List = std::vector<std::string>;
  EXPECT_EQ(external_id_list(db_->query_entries("demo", q)),
            (List{"first", "second", "third", "tie_a", "tie_b"}));
  q.newest_first = true;
  EXPECT_EQ(external_id_list(db_->query_entries("demo", q)),
            (List{"tie_b", "tie_a", "third", "second", "first"}));
  q.offset = 1;
  q.limit = 2;
  EXPECT_EQ(external_id_list(db_->query_entries("demo", q)), (List{"tie_a", "third"}));
  EXPECT_EQ(db_->count_entries("demo", q), 5u);
  q.newest_first = false;
  q.offset = 4;
  q.limit = 10;
  EXPECT_EQ(external_id_list(db_->query_entries("demo", q)), (List{"tie_b"}));
  q.offset = 5;
  EXPECT_TRUE(db_->query_entries("demo", q).empty());
  q.offset = 0;
  q.limit = 0;
  EXPECT_TRUE(db_->query_entries("demo", q).empty());
}

TEST_P(DatabaseConformanceTest, QueryWithoutAttachmentsGivesNamesAndFormats) {
  QueueEntry e = make_entry("ID", kT0);
  e.passenger.add_attachment("a.txt", AttachmentFormat::text, "text");
  e.passenger.add_attachment("b.bin", AttachmentFormat::binary, kBinary);
  db_->insert_entries("demo", std::span(&e, 1));
  EntryQuery q;
  q.with_attachments = false;
  std::vector<QueueEntry> found = db_->query_entries("demo", q);
  ASSERT_EQ(found.size(), 1u);
  const auto& attachments = found[0].passenger.attachments;
  ASSERT_EQ(attachments.size(), 2u);
  EXPECT_EQ(attachments[0].name, "a.txt");
  EXPECT_EQ(attachments[0].format, AttachmentFormat::text);
  EXPECT_EQ(attachments[1].name, "b.bin");
  EXPECT_EQ(attachments[1].format, AttachmentFormat::binary);
  EXPECT_TRUE(attachments[0].content.empty());
  EXPECT_TRUE(attachments[1].content.empty());
}

TEST_P(DatabaseConformanceTest, FindEntryUsesTheDedupKey) {
  QueueEntry e = make_entry("ID_1_1", kT0);
  db_->insert_entries("demo", std::span(&e, 1));
  EXPECT_EQ(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "ID_1_1"), e.passenger.internal_id);
  EXPECT_FALSE(db_->find_entry("demo", kOtherModule, "DEMO_SYSTEM", "ID_1_1"));
  EXPECT_FALSE(db_->find_entry("demo", kModule, "OTHER", "ID_1_1"));
  EXPECT_FALSE(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "ID_1_2"));
  EXPECT_FALSE(db_->find_entry("other", kModule, "DEMO_SYSTEM", "ID_1_1"));
}

// Sources hand out ids with any bytes; an engine keeps them exactly (the
// PostgreSQL engine escapes what its text columns cannot hold).
TEST_P(DatabaseConformanceTest, NulBytesInPassengerFieldsRoundTrip) {
  const std::string id = std::string("ID\0_1", 5);
  const std::string source = std::string("SRC\0", 4);
  QueueEntry e = make_entry(id, kT0, kModule, kPuller, source);
  db_->insert_entries("demo", std::span(&e, 1));
  EXPECT_EQ(db_->load_entry("demo", e.passenger.internal_id), e);
  EXPECT_EQ(db_->find_entry("demo", kModule, source, id), e.passenger.internal_id);
  EXPECT_FALSE(db_->find_entry("demo", kModule, source, "ID"));
  const std::vector<DedupKey> keys = {{source, id}};
  EXPECT_EQ(db_->find_entries("demo", kModule, keys).size(), 1u);
  e.passenger.external_id = std::string("ID\0_2", 5);
  db_->update_entries("demo", std::span(&e, 1), SaveScope::everything);
  EXPECT_EQ(db_->query_entries("demo", EntryQuery{}), std::vector<QueueEntry>{e});
}

TEST_P(DatabaseConformanceTest, FindEntriesLooksUpManyKeysAtOnce) {
  const std::string odd = "a\"b\\c,{d} \xc3\xa4'";  // Quotes, braces, UTF-8.
  std::vector<QueueEntry> entries = {make_entry("ID_1_1", kT0), make_entry(odd, kT0),
                                     make_entry("LATE", kT0),
                                     make_entry("ONLY_OTHER", kT0, kOtherModule)};
  entries[1].passenger.source_system = "S Y";
  db_->insert_entries("demo", entries);

  std::vector<DedupKey> keys = {
      {"DEMO_SYSTEM", "ID_1_1"}, {"DEMO_SYSTEM", "ID_1_1"},     {"S Y", odd},
      {"DEMO_SYSTEM", odd},      {"DEMO_SYSTEM", "ONLY_OTHER"}, {"", ""}};
  for (int i = 0; i < 450; ++i) keys.push_back({"DEMO_SYSTEM", "MISSING_" + std::to_string(i)});
  keys.push_back({"DEMO_SYSTEM", "LATE"});  // After many misses (engines may chunk).

  const std::map<DedupKey, std::string> expected = {
      {{"DEMO_SYSTEM", "ID_1_1"}, entries[0].passenger.internal_id},
      {{"S Y", odd}, entries[1].passenger.internal_id},
      {{"DEMO_SYSTEM", "LATE"}, entries[2].passenger.internal_id}};
  EXPECT_EQ(db_->find_entries("demo", kModule, keys), expected);
  EXPECT_EQ(db_->find_entries("demo", kOtherModule, keys),
            (std::map<DedupKey, std::string>{
                {{"DEMO_SYSTEM", "ONLY_OTHER"}, entries[3].passenger.internal_id}}));
  EXPECT_TRUE(db_->find_entries("demo", kModule, {}).empty());
  EXPECT_TRUE(db_->find_entries("other", kModule, keys).empty());
  for (const auto& [key, id] : expected) {
    EXPECT_EQ(db_->find_entry("demo", kModule, key.source_system, key.external_id), id);
  }
}

TEST_P(DatabaseConformanceTest, StoredIdsAreTheIdsOfStoredEntries) {
  std::vector<QueueEntry> entries = {make_entry("A", kT0), make_entry("B", kT0, kOtherModule)};
  db_->insert_entries("demo", entries);
  const std::string& a = entries[0].passenger.internal_id;
  const std::string& b = entries[1].passenger.internal_id;
  std::vector<std::string> ids = {a, new_uuid(), b, a, "not-a-uuid", ""};
  for (int i = 0; i < 600; ++i) ids.push_back(new_uuid());  // Engines may chunk.
  ids.push_back(b);
  EXPECT_EQ(db_->stored_ids("demo", ids), (std::set<std::string>{a, b}));
  EXPECT_TRUE(db_->stored_ids("other", ids).empty());
  EXPECT_TRUE(db_->stored_ids("demo", {}).empty());
}

// Seating checks the dedup key of the module and inserts the rest: keys
// stored already, and keys repeated in the batch, are skipped by position.
TEST_P(DatabaseConformanceTest, SeatEntriesSkipsStoredAndRepeatedKeys) {
  const QueueEntry stored = make_entry("X", kT0);
  db_->insert_entries("demo", std::span(&stored, 1));
  const QueueEntry elsewhere = make_entry("Y", kT0, kOtherModule);  // Another module's key.
  db_->insert_entries("demo", std::span(&elsewhere, 1));
  const std::vector<QueueEntry> batch = {make_entry("Y", kT0), make_entry("X", kT0),
                                         make_entry("Z", kT0), make_entry("Y", kT0)};
  EXPECT_EQ(db_->seat_entries("demo", batch), (std::vector<std::size_t>{1, 3}));
  EXPECT_TRUE(db_->load_entry("demo", batch[0].passenger.internal_id));
  EXPECT_FALSE(db_->load_entry("demo", batch[1].passenger.internal_id));
  EXPECT_TRUE(db_->load_entry("demo", batch[2].passenger.internal_id));
  EXPECT_FALSE(db_->load_entry("demo", batch[3].passenger.internal_id));
  EXPECT_TRUE(db_->seat_entries("demo", {}).empty());
  const std::vector<QueueEntry> fresh = {make_entry("W", kT0)};
  EXPECT_TRUE(db_->seat_entries("demo", fresh).empty());
  EXPECT_TRUE(db_->load_entry("demo", fresh[0].passenger.internal_id));
}

TEST_P(DatabaseConformanceTest, DeleteCompleteEntriesDeletesOnlyOldCompleteOnesOfTheModule) {
  auto complete = [](QueueEntry e) {
    e.complete_all_steps();
    e.puller_notified = true;
    return e;
  };
  std::vector<QueueEntry> entries = {
      complete(make_entry("old_done", minutes_after_t0(0))),
      make_entry("old_open", minutes_after_t0(0)),
      complete(make_entry("new_done", minutes_after_t0(10))),
      complete(make_entry("other_module_done", minutes_after_t0(0), kOtherModule)),
  };
  QueueEntry almost = complete(make_entry("old_unnotified", minutes_after_t0(0)));
  almost.puller_notified = false;
  entries.push_back(almost);
  entries[0].passenger.add_attachment("a.bin", AttachmentFormat::binary, kBinary);
  db_->insert_entries("demo", entries);

  EXPECT_EQ(db_->delete_complete_entries("demo", kModule, minutes_after_t0(0)), 0u);
  EXPECT_EQ(db_->delete_complete_entries("demo", kModule, minutes_after_t0(5)), 1u);
  EXPECT_EQ(external_ids(db_->query_entries("demo", EntryQuery{})),
            (std::set<std::string>{"old_open", "new_done", "other_module_done", "old_unnotified"}));
  EXPECT_FALSE(db_->load_entry("demo", entries[0].passenger.internal_id));
  EXPECT_FALSE(db_->find_entry("demo", kModule, "DEMO_SYSTEM", "old_done"));
  EXPECT_EQ(db_->delete_complete_entries("demo", kModule, minutes_after_t0(5)), 0u);
  EXPECT_EQ(db_->delete_complete_entries("demo", kModule, minutes_after_t0(11)), 1u);
  EXPECT_EQ(db_->count_entries("demo", EntryQuery{}), 3u);
}

TEST_P(DatabaseConformanceTest, ConcurrentWritersOnDifferentClientsAndEntries) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      // Threads 0 and 1 share client "shared"; 2 and 3 have their own.
      const std::string client = t < 2 ? "shared" : "client" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        QueueEntry e =
            make_entry("T" + std::to_string(t) + "_" + std::to_string(i), minutes_after_t0(i));
        e.passenger.add_attachment("x.bin", AttachmentFormat::binary, kBinary);
        db_->insert_entries(client, std::span(&e, 1));
        e.puller_notified = true;
        db_->update_entries(client, std::span(&e, 1), SaveScope::statuses);
        db_->query_entries(client, EntryQuery{});
        Log log(new_uuid(), minutes_after_t0(i));
        log.info("test", "entry " + std::to_string(i));
        db_->write_log(client, log);
      }
    });
  }
  for (auto& th : threads) th.join();
  EntryQuery unnotified;
  unnotified.filter = EntryFilter::unnotified;
  EXPECT_EQ(db_->count_entries("shared", EntryQuery{}), 2u * kPerThread);
  EXPECT_EQ(db_->count_entries("shared", unnotified), 0u);
  EXPECT_EQ(db_->list_logs("shared").size(), 2u * kPerThread);
  for (int t = 2; t < kThreads; ++t) {
    const std::string client = "client" + std::to_string(t);
    std::vector<QueueEntry> all = db_->query_entries(client, EntryQuery{});
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kPerThread));
    for (const auto& e : all) {
      EXPECT_TRUE(e.puller_notified);
      EXPECT_EQ(e.passenger.attachments.at(0).content, kBinary);
    }
  }
}

TEST_P(DatabaseConformanceTest, BatchInsertOfManyEntries) {
  std::vector<QueueEntry> entries;
  for (int i = 0; i < 200; ++i) {
    entries.push_back(make_entry("ID_" + std::to_string(i), minutes_after_t0(i)));
    entries.back().passenger.add_attachment("body.txt", AttachmentFormat::text,
                                            std::string(1024, 'a' + i % 26));
  }
  db_->insert_entries("demo", entries);
  for (auto& e : entries) e.puller_notified = true;
  db_->update_entries("demo", entries, SaveScope::statuses);
  std::vector<QueueEntry> stored = db_->query_entries("demo", EntryQuery{});
  EXPECT_EQ(stored, entries);
}

}  // namespace databus
