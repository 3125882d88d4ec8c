#include "fs/journal_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "databus/error.h"
#include "fs/atomic_file.h"

namespace databus::durable {
namespace {

namespace stdfs = std::filesystem;

class JournalFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::path(testing::TempDir()) /
           ("databus_journal_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    path_ = dir_ / "q.journal";
  }
  void TearDown() override { stdfs::remove_all(dir_); }
  stdfs::path dir_, path_;
};

TEST_F(JournalFileTest, Crc32IsTheStandardOne) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("6789", crc32("12345")), crc32("123456789"));
  // Long input (eight bytes at a time), also continued from odd offsets.
  std::string data(1000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7 + 3) & 0xFF);
  EXPECT_EQ(crc32(data), 0x17BC2A46u);  // Python's zlib.crc32 of the same bytes.
  const std::string_view all(data);
  EXPECT_EQ(crc32(all.substr(13), crc32(all.substr(0, 13))), 0x17BC2A46u);
}

TEST_F(JournalFileTest, RecordsComeBackInOrderAcrossAppendsAndOpens) {
  EXPECT_TRUE(JournalFile::read(path_).empty());  // No file: no records.
  {
    JournalFile journal(path_);
    const std::vector<std::string> first{"one", std::string("t\0o", 3)};
    journal.append(first);
    EXPECT_EQ(journal.size(), 2 * 8 + 3 + 3u);
  }
  {
    JournalFile journal(path_);
    EXPECT_EQ(journal.size(), 2 * 8 + 3 + 3u);
    const std::vector<std::string> second{"three"};
    journal.append(second);
  }
  EXPECT_EQ(JournalFile::read(path_),
            (std::vector<std::string>{"one", std::string("t\0o", 3), "three"}));
  JournalFile journal(path_);
  journal.clear();
  EXPECT_EQ(journal.size(), 0u);
  EXPECT_TRUE(JournalFile::read(path_).empty());
  EXPECT_TRUE(stdfs::exists(path_));
}

TEST_F(JournalFileTest, ReadingStopsAtATornOrCorruptRecord) {
  {
    JournalFile journal(path_);
    const std::vector<std::string> records{"alpha", "beta", "gamma"};
    journal.append(records);
  }
  std::string bytes = read_file(path_);
  // A crash during the last append: its record cut short.
  write_file(path_, bytes.substr(0, bytes.size() - 2));
  EXPECT_EQ(JournalFile::read(path_), (std::vector<std::string>{"alpha", "beta"}));
  // A flipped byte in the second record's payload.
  std::string flipped = bytes;
  flipped[8 + 5 + 8] ^= 1;
  write_file(path_, flipped);
  EXPECT_EQ(JournalFile::read(path_), std::vector<std::string>{"alpha"});
  // A zero-filled tail (size grown, data lost) is no record.
  write_file(path_, bytes + std::string(64, '\0'));
  EXPECT_EQ(JournalFile::read(path_).size(), 3u);
}

TEST_F(JournalFileTest, EmptyRecordsAreRefusedAndFailuresNameThePath) {
  JournalFile journal(path_);
  const std::vector<std::string> empty{""};
  EXPECT_THROW(journal.append(empty), StorageError);
  try {
    JournalFile missing(dir_ / "no/such/dir/q.journal");
    FAIL() << "opened a journal in a missing directory";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/dir/q.journal"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace databus::durable
