#include "model/sequential_map.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace databus {
namespace {

std::vector<std::string> keys(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("entry-" + std::to_string(i) + std::string(30, 'k'));
  return out;
}

TEST(SequentialMapTest, FindsEveryKeyInAnyOrder) {
  SequentialMap<int> map;
  const std::vector<std::string> all = keys(100);
  for (int i = 0; i < 100; ++i) map.insert_or_assign(all[i], i);
  EXPECT_EQ(map.size(), 100u);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(*map.find(all[i]), i) << "in order";
  for (int i = 99; i >= 0; --i) ASSERT_EQ(*map.find(all[i]), i) << "backwards";
  for (int i = 0; i < 100; i += 7) ASSERT_EQ(*map.find(all[i]), i) << "skipping";
  EXPECT_EQ(map.find("absent"), nullptr);
  EXPECT_EQ(map.find(""), nullptr);
}

TEST(SequentialMapTest, AssigningAnExistingKeyKeepsOneEntry) {
  SequentialMap<std::string> map;
  map.insert_or_assign("a", "first");
  map.insert_or_assign("b", "second");
  map.insert_or_assign("a", "replaced");
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(*map.find("a"), "replaced");
  EXPECT_EQ(*map.find("b"), "second");
}

TEST(SequentialMapTest, ErasedKeysAreGoneAndCanComeBack) {
  SequentialMap<int> map;
  const std::vector<std::string> all = keys(5);
  for (int i = 0; i < 5; ++i) map.insert_or_assign(all[i], i);
  EXPECT_TRUE(map.erase(all[2]));
  EXPECT_FALSE(map.erase(all[2]));
  EXPECT_EQ(map.size(), 4u);
  // In order, past the erased slot.
  EXPECT_EQ(*map.find(all[1]), 1);
  EXPECT_EQ(map.find(all[2]), nullptr);
  EXPECT_EQ(*map.find(all[3]), 3);
  map.insert_or_assign(all[2], 20);
  EXPECT_EQ(*map.find(all[1]), 1);
  EXPECT_EQ(*map.find(all[2]), 20);  // The hint now points at the old slot.
  EXPECT_EQ(map.size(), 5u);
}

TEST(SequentialMapTest, ValuesStayPutWhileOthersAreAdded) {
  SequentialMap<int> map;
  const std::vector<std::string> all = keys(1000);
  int* first = &map.insert_or_assign(all[0], 0);
  for (int i = 1; i < 1000; ++i) map.insert_or_assign(all[i], i);
  EXPECT_EQ(map.find(all[0]), first);
  map.clear();
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.find(all[0]), nullptr);
}

}  // namespace
}  // namespace databus
