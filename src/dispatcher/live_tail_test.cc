#include "dispatcher/live_tail.h"

#include <gtest/gtest.h>

namespace databus::dispatch {
namespace {

LogEntry line(const std::string& message) {
  return LogEntry{Clock::now(), "src", LogType::info, message};
}

std::vector<std::string> messages(const std::vector<TailLine>& lines) {
  std::vector<std::string> out;
  for (const TailLine& l : lines) out.push_back(l.entry.message);
  return out;
}

TEST(LiveTail, GivesAClientsLinesAfterASequenceNumberOldestFirst) {
  LiveTail tail;
  tail.add("demo", "p", "g1", line("one"));
  tail.add("other", "p", "g2", line("secret of other"));
  tail.add("demo", "p", "g1", line("two"));
  tail.add("demo", "q", "g3", line("three"));

  const std::vector<TailLine> all = tail.lines("demo", 0, 100);
  EXPECT_EQ(messages(all), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(all[2].passenger, "q");
  EXPECT_EQ(all[2].log_guid, "g3");
  EXPECT_EQ(messages(tail.lines("demo", all[0].seq, 100)),
            (std::vector<std::string>{"two", "three"}));
  EXPECT_TRUE(tail.lines("demo", all[2].seq, 100).empty());
  // A limit keeps the newest.
  EXPECT_EQ(messages(tail.lines("demo", 0, 2)), (std::vector<std::string>{"two", "three"}));
  EXPECT_EQ(messages(tail.lines("other", 0, 100)), (std::vector<std::string>{"secret of other"}));
}

TEST(LiveTail, KeepsTheNewestLinesOnly) {
  LiveTail tail;
  for (std::size_t i = 0; i < LiveTail::kCapacity + 5; ++i) {
    tail.add("demo", "p", "g", line(std::to_string(i)));
  }
  const std::vector<TailLine> kept = tail.lines("demo", 0, LiveTail::kCapacity * 2);
  ASSERT_EQ(kept.size(), LiveTail::kCapacity);
  EXPECT_EQ(kept.front().entry.message, "5");
  EXPECT_EQ(kept.back().seq, LiveTail::kCapacity + 5);
}

}  // namespace
}  // namespace databus::dispatch
