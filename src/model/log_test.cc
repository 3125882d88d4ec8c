#include "databus/log.h"

#include <gtest/gtest.h>

namespace databus {
namespace {

TEST(LogTest, WorstTypeIsTheMostSevere) {
  Log log;
  EXPECT_EQ(log.worst_type(), LogType::info);
  log.info("a", "x");
  log.warning("a", "y");
  EXPECT_EQ(log.worst_type(), LogType::warning);
  log.error("a", "z");
  log.info("a", "w");
  EXPECT_TRUE(log.has_errors());
}

TEST(LogTest, TextFormIsOneCrlfLinePerEntryAndRoundTrips) {
  Log log("g", parse_iso("2020-04-15T17:12:00.139335"));
  log.info("databus.driver.primal_driver", "Driving...");
  log.error("src", "two\nlines");
  const std::string text = log.to_text();
  EXPECT_NE(text.find("][databus.driver.primal_driver][info] Driving...\r\n"), std::string::npos);
  EXPECT_NE(text.find("[src][error] two lines\r\n"), std::string::npos);
  const Log back = Log::from_text("g", log.created(), text);
  ASSERT_EQ(back.entries().size(), 2u);
  EXPECT_EQ(back.entries()[0], log.entries()[0]);
  EXPECT_EQ(back.entries()[1].message, "two lines");
}

TEST(LogTest, ReadsTheOriginalsLfFilesAndKeepsStrayLines) {
  const std::string text =
      "[2020-04-15T17:11:52.396481][databus.dispatcher.primal_dispatcher][info] Dispatching\n"
      "[2020-04-15T17:11:52.396481][databus.driver.primal_driver][warning] Skipped\n"
      "continued by hand\n";
  const Log log = Log::from_text("g", TimePoint{}, text);
  ASSERT_EQ(log.entries().size(), 2u);
  EXPECT_EQ(log.entries()[1].type, LogType::warning);
  EXPECT_EQ(log.entries()[1].message, "Skipped\ncontinued by hand");
  EXPECT_EQ(to_iso(log.entries()[0].time), "2020-04-15T17:11:52.396481");
}

// Found by the fuzz target original_data (fuzz/corpus/original_data/
// crash-log-line-year-1010.txt): a line whose time a TimePoint cannot hold
// overflowed while parsing. It is now a line that does not match, kept in
// the previous entry's message.
TEST(LogTest, ALineWithATimeOutsideTheClockRangeIsKeptAsText) {
  const Log log = Log::from_text(
      "g", parse_iso("2020-04-15T17:12:00"),
      "[2020-04-15T17:11:59.912345][databus.pusher.demo.demo_pusher_1][warning] Target slow\n"
      "[1010-04-15T17:12:00.139001][databus.driver.primal_driver][info] Drive complete\n");
  ASSERT_EQ(log.entries().size(), 1u);
  EXPECT_EQ(log.entries()[0].message,
            "Target slow\n[1010-04-15T17:12:00.139001][databus.driver.primal_driver][info] Drive "
            "complete");
}

}  // namespace
}  // namespace databus
