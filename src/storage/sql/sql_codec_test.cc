#include "storage/sql/sql_codec.h"

#include <gtest/gtest.h>

#include "databus/uuid.h"
#include "storage/sql/sql_query.h"

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
  EXPECT_EQ(decode_log(log.guid(), log.created(), encode_log_entries(log)), log);
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
  EXPECT_EQ(lite.text, "SELECT count(*) FROM entries WHERE client_id = ?");
}

}  // namespace
}  // namespace databus::sql
