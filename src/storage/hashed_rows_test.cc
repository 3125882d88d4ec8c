#include "storage/hashed_rows.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace databus {
namespace {

std::multiset<std::uint32_t> rows_under(const HashedRows& table, std::uint32_t hash) {
  std::multiset<std::uint32_t> rows;
  table.find(hash, [&](std::uint32_t row) {
    rows.insert(row);
    return false;
  });
  return rows;
}

TEST(HashedRowsTest, FindsEveryRowOfAHashAndStopsWhenAsked) {
  HashedRows table;
  EXPECT_FALSE(table.find(7, [](std::uint32_t) { return true; }));
  table.insert(7, 1);
  table.insert(7, 2);
  table.insert(8, 3);
  EXPECT_EQ(rows_under(table, 7), (std::multiset<std::uint32_t>{1, 2}));
  EXPECT_EQ(rows_under(table, 8), std::multiset<std::uint32_t>{3});
  EXPECT_TRUE(rows_under(table, 9).empty());
  int visits = 0;
  EXPECT_TRUE(table.find(7, [&](std::uint32_t) { return ++visits == 1; }));
  EXPECT_EQ(visits, 1);
  EXPECT_FALSE(table.erase(7, 3));
  EXPECT_TRUE(table.erase(7, 1));
  EXPECT_FALSE(table.erase(7, 1));
  EXPECT_EQ(rows_under(table, 7), std::multiset<std::uint32_t>{2});
  EXPECT_EQ(table.size(), 2u);
}

// Random inserts and erasures, against a std::map: few distinct hashes with
// the same low bits make long runs that wrap around the table's end, which
// is where an erasure's backward shift can go wrong.
TEST(HashedRowsTest, ErasuresKeepEveryOtherRowFindable) {
  std::mt19937 random(18);
  HashedRows table;
  std::map<std::uint32_t, std::uint32_t> expected;  // Row -> hash.
  const std::uint32_t hashes[] = {0, 1, 15, 16, 31, 0x10000000u, 0xFFFFFFFFu};
  for (int step = 0; step < 20000; ++step) {
    const std::uint32_t row = random() % 3000;
    if (auto it = expected.find(row); it != expected.end()) {
      ASSERT_TRUE(table.erase(it->second, row));
      expected.erase(it);
    } else {
      const std::uint32_t hash = hashes[random() % std::size(hashes)];
      table.insert(hash, row);
      expected.emplace(row, hash);
    }
    if (step % 997 == 0 || step > 19900) {
      for (std::uint32_t hash : hashes) {
        std::multiset<std::uint32_t> want;
        for (const auto& [r, h] : expected) {
          if (h == hash) want.insert(r);
        }
        ASSERT_EQ(rows_under(table, hash), want) << "hash " << hash << ", step " << step;
      }
    }
  }
  EXPECT_EQ(table.size(), expected.size());
  table.clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.allocated_bytes(), 0u);
}

}  // namespace
}  // namespace databus
