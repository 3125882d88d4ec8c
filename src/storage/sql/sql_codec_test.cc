#include "storage/sql/sql_codec.h"

#include <gtest/gtest.h>

#include "databus/uuid.h"
#include "storage/sql/sql_query.h"
#include "storage/sql/text_codec.h"

namespace databus::sql {
namespace {

TEST(SqlCodecTest, StepsRoundTripWithAttemptsAndErrors) {
  QueueEntry e;
  e.processor_statuses = {{"p1", StepStatus::complete, 0, ""},
                          {"p2", StepStatus::incomplete, 3, "connection refused"}};
  e.pusher_statuses = {{"q1", StepStatus::undefined, 1, "\"quoted\"\nline"}};
  QueueEntry back;
  decode_steps(encode_steps(e), back);
  EXPECT_EQ(back.processor_statuses, e.processor_statuses);
  EXPECT_EQ(back.pusher_statuses, e.pusher_statuses);
}

TEST(SqlCodecTest, CompactStepsKeepColonsDigitsAndLineBreaks) {
  QueueEntry e;
  e.processor_statuses = {{"12:p", StepStatus::complete, 0, "3:4:"}};
  e.pusher_statuses = {{"q", StepStatus::incomplete, 12, "a\r\nb"}, {"r", StepStatus::undefined}};
  const std::string text = encode_steps(e);
  EXPECT_EQ(text.front(), kCompactStepsMark);
  QueueEntry back;
  decode_steps(text, back);
  EXPECT_EQ(back.processor_statuses, e.processor_statuses);
  EXPECT_EQ(back.pusher_statuses, e.pusher_statuses);
  EXPECT_THROW(decode_steps(text.substr(0, text.size() - 1), back), std::invalid_argument);
  EXPECT_THROW(decode_steps("Sx", back), std::invalid_argument);
}

TEST(SqlCodecTest, NextAttemptAndQuarantineRoundTripAndOnlyThenLengthenTheForm) {
  QueueEntry e;
  e.processor_statuses = {{"p", StepStatus::incomplete, 2, "down"}};
  e.pusher_statuses = {{"q", StepStatus::incomplete, 3, "gone"}, {"r", StepStatus::complete}};
  const std::string plain = encode_steps(e);
  EXPECT_EQ(plain.find_first_of("PQ"), std::string::npos) << plain;
  e.processor_statuses[0].next_attempt = from_micros(1'700'000'000'123'456);
  e.pusher_statuses[0].quarantined = true;
  const std::string text = encode_steps(e);
  EXPECT_NE(text.find('P'), std::string::npos) << text;
  EXPECT_NE(text.find('Q'), std::string::npos) << text;
  QueueEntry back;
  decode_steps(text, back);
  EXPECT_EQ(back.processor_statuses, e.processor_statuses);
  EXPECT_EQ(back.pusher_statuses, e.pusher_statuses);
  EXPECT_THROW(decode_steps("SPi1:5:2:1:p0:", back), std::invalid_argument);  // Flag 2.
}

TEST(SqlCodecTest, FlagsCarryTheDueTimeAndTheFailureStates) {
  QueueEntry e;
  e.processor_statuses = {{"p", StepStatus::complete}};
  e.pusher_statuses = {{"q", StepStatus::incomplete, 1, "down"}, {"r", StepStatus::incomplete}};
  e.pusher_statuses[0].next_attempt = from_micros(5'000'000);
  e.pusher_statuses[1].next_attempt = from_micros(7'000'000);
  EntryFlags f = EntryFlags::of(e);
  EXPECT_EQ(f.due_at, 5'000'000);
  EXPECT_TRUE(f.failing);
  EXPECT_FALSE(f.quarantined);
  e.pusher_statuses[0].quarantined = true;
  f = EntryFlags::of(e);
  EXPECT_EQ(f.due_at, 7'000'000);
  EXPECT_FALSE(f.failing);
  EXPECT_TRUE(f.quarantined);
  e.pusher_statuses[1].status = StepStatus::complete;
  EXPECT_EQ(EntryFlags::of(e).due_at, std::nullopt);
}

TEST(SqlCodecTest, UnstorableBytesOfAnErrorBecomeReplacementCharacters) {
  QueueEntry e;
  e.processor_statuses = {{"p", StepStatus::incomplete, 1, std::string("a\0b\xff", 4)}};
  const std::string text = encode_steps(e);
  EXPECT_EQ(first_unstorable_byte(text), std::string_view::npos);
  QueueEntry back;
  decode_steps(text, back);
  EXPECT_EQ(back.processor_statuses[0].last_error,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

TEST(SqlCodecTest, SchemaVersion1JsonColumnsAreStillRead) {
  QueueEntry e;
  decode_steps(
      R"({"processors": [{"module": "p", "status": "complete", "attempts": 0, "last_error": ""}],)"
      R"( "pushers": [{"module": "q", "status": "incomplete", "attempts": 2, "last_error": "x"}]})",
      e);
  EXPECT_EQ(e.processor_statuses, (std::vector<StepState>{{"p", StepStatus::complete, 0, ""}}));
  EXPECT_EQ(e.pusher_statuses, (std::vector<StepState>{{"q", StepStatus::incomplete, 2, "x"}}));
  EXPECT_EQ(decode_strings(R"(["a", "b"])"), (std::vector<std::string>{"a", "b"}));
}

TEST(SqlCodecTest, LogGuidsArePlainUnlessAValueNeedsQuoting) {
  const std::vector<std::string> plain = {new_uuid(), new_uuid()};
  EXPECT_EQ(encode_strings(plain), plain[0] + "," + plain[1]);
  EXPECT_EQ(decode_strings(encode_strings(plain)), plain);
  const std::vector<std::string> odd = {"a,b", "", "[c"};
  EXPECT_EQ(encode_strings(odd).front(), '[');
  EXPECT_EQ(decode_strings(encode_strings(odd)), odd);
  EXPECT_TRUE(decode_strings(encode_strings({})).empty());
}

TEST(SqlCodecTest, TheCountOfDroppedLogGuidsPrecedesTheListOnlyWhenSet) {
  Passenger p;
  p.log_guids = {"a", "b"};
  EXPECT_EQ(encode_log_guids(p), "a,b");  // As before the count existed.
  p.log_guids_dropped = 42;
  EXPECT_EQ(encode_log_guids(p), "#42,a,b");
  for (const std::vector<std::string>& guids :
       {std::vector<std::string>{}, {"a"}, {"a", "b"}, {"needs \"quotes\"", "b"}}) {
    p.log_guids = guids;
    Passenger back;
    decode_log_guids(encode_log_guids(p), back);
    EXPECT_EQ(back.log_guids, guids);
    EXPECT_EQ(back.log_guids_dropped, 42u);
  }
  Passenger old;
  decode_log_guids(R"(["a", "b"])", old);  // Schema version 1.
  EXPECT_EQ(old.log_guids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(old.log_guids_dropped, 0u);
  EXPECT_THROW(decode_log_guids("#x,a", old), std::invalid_argument);
  EXPECT_THROW(decode_log_guids("#,a", old), std::invalid_argument);
}

TEST(SqlCodecTest, MalformedColumnsAreInvalidArgumentNamingTheColumn) {
  QueueEntry e;
  try {
    decode_steps("{\"processors\": [{\"module\": \"p\", \"status\": \"done\"}], \"pushers\": []}",
                 e);
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("done"), std::string::npos);
  }
  EXPECT_THROW(decode_steps("not json", e), std::invalid_argument);
  EXPECT_THROW(decode_strings("{}"), std::invalid_argument);
  EXPECT_THROW(decode_log(new_uuid(), Clock::now(), "[[1, \"s\"]]"), std::invalid_argument);
}

TEST(SqlCodecTest, LogsKeepLineBreaksAndTypes) {
  Log log(new_uuid(), parse_iso("2024-02-03T04:05:06.123456"));
  log.append({parse_iso("2024-02-03T04:05:07.000001"), "src", LogType::warning, "two\r\nlines"});
  log.append({parse_iso("2024-02-03T04:05:08"), "src", LogType::error, ""});
  log.append({parse_iso("2024-02-03T04:05:09"), "s\"\\", LogType::info, "tab\tbell\a\xc3\xa4"});
  EXPECT_EQ(decode_log(log.guid(), log.created(), encode_log_entries(log)), log);
  Log broken(new_uuid(), parse_iso("2024-02-03T04:05:06"));
  broken.append({parse_iso("2024-02-03T04:05:07"), "src", LogType::info, "bad \xff byte"});
  EXPECT_EQ(decode_log(broken.guid(), broken.created(), encode_log_entries(broken))
                .entries()
                .front()
                .message,
            "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(decode_strings(encode_strings({"a", "b"})), (std::vector<std::string>{"a", "b"}));
}

TEST(SqlCodecTest, TimesAreWholeMicrosecondsAndBoundsRoundUp) {
  const TimePoint t = parse_iso("2022-11-06T22:13:01.294628");
  EXPECT_EQ(from_micros(to_micros(t)), t);
  const TimePoint later = t + std::chrono::nanoseconds(500);
  EXPECT_EQ(to_micros(later), to_micros(t));
  EXPECT_EQ(ceil_micros(later), to_micros(t) + 1);  // t < later holds, so must t's row.
  EXPECT_EQ(ceil_micros(t), to_micros(t));
}

TEST(SqlQueryTest, ParametersCarryEveryValueAndPlaceholdersFollowTheDialect) {
  EntryQuery q;
  q.passenger_module = "m";
  q.search = "x'; DROP TABLE entries; --";
  q.filter = EntryFilter::push_due;
  q.limit = 5;
  Statement pg = select_entries(postgresql_dialect(), "demo", q);
  EXPECT_EQ(pg.parameters.size(), 5u);  // Client, module, the search three times.
  EXPECT_NE(pg.text.find("$5"), std::string::npos);
  EXPECT_EQ(pg.text.find("DROP"), std::string::npos);
  EXPECT_NE(pg.text.find("LIMIT 5 OFFSET 0"), std::string::npos);
  Statement lite = count_entries(sqlite_dialect(), "demo", EntryQuery{});
  EXPECT_EQ(
      lite.text,
      "SELECT count(*) FROM entries LEFT JOIN entry_statuses USING (entry) WHERE client_id = ?");
}

}  // namespace
}  // namespace databus::sql
