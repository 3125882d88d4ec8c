#include "fs/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "databus/error.h"

namespace databus::durable {
namespace {

namespace stdfs = std::filesystem;

class AtomicFileTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::path(testing::TempDir()) /
           ("databus_atomic_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
  }
  void TearDown() override { stdfs::remove_all(dir_); }
  std::vector<std::string> names(const stdfs::path& dir) {
    std::vector<std::string> out;
    for (const auto& item : stdfs::directory_iterator(dir)) {
      out.push_back(item.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  stdfs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReplacesWithoutLeftovers) {
  write_file_atomically(dir_ / "a.json", "first");
  EXPECT_EQ(read_file(dir_ / "a.json"), "first");
  const std::string binary("\0\xff\r\n", 4);
  write_file_atomically(dir_ / "a.json", binary);
  EXPECT_EQ(read_file(dir_ / "a.json"), binary);
  EXPECT_EQ(names(dir_), std::vector<std::string>{"a.json"});
}

TEST_F(AtomicFileTest, FailuresNameThePathAndLeaveNothing) {
  try {
    write_file_atomically(dir_ / "missing/a.json", "x");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_file(dir_ / "nothing.txt"), StorageError);
  EXPECT_TRUE(names(dir_).empty());
}

TEST_F(AtomicFileTest, TemporaryNamesAreRecognised) {
  EXPECT_TRUE(is_temporary_name(temporary_sibling(dir_ / "x.json").filename().string()));
  EXPECT_EQ(temporary_sibling(dir_ / "x.json").parent_path(), dir_);
  EXPECT_NE(temporary_sibling(dir_ / "x"), temporary_sibling(dir_ / "x"));
  EXPECT_FALSE(is_temporary_name("passenger.json"));
}

// Issue 13: a final name of 235 to 255 bytes made "<name>.tmp-<16 hex>"
// longer than a directory entry holds (ENAMETOOLONG).
TEST_F(AtomicFileTest, TemporaryNamesFitWhateverTheFinalNameAllows) {
  for (const std::size_t length : {1u, 234u, 235u, 250u, 255u}) {
    const std::string name(length, 'n');
    const stdfs::path temp = temporary_sibling(dir_ / name);
    EXPECT_LE(temp.filename().string().size(), 255u) << length;
    EXPECT_TRUE(is_temporary_name(temp.filename().string())) << length;
    EXPECT_TRUE(temp.filename().string().starts_with(name.substr(0, 8))) << length;
    write_file_atomically(dir_ / name, "content " + std::to_string(length));
    EXPECT_EQ(read_file(dir_ / name), "content " + std::to_string(length));
    WriteBatch batch;
    batch.replace(dir_ / name, "batched");
    batch.commit();
    EXPECT_EQ(read_file(dir_ / name), "batched");
    ASSERT_TRUE(overwrite_file(dir_ / name, std::string(5000, 'x'), ' '));
    EXPECT_EQ(read_file(dir_ / name), std::string(5000, 'x'));
  }
  for (const std::string& name : names(dir_)) EXPECT_FALSE(is_temporary_name(name)) << name;
  EXPECT_EQ(names(dir_).size(), 5u);
}

TEST_F(AtomicFileTest, NothingOfABatchIsVisibleBeforeCommit) {
  write_file_atomically(dir_ / "a.txt", "old");
  {
    WriteBatch batch;
    batch.replace(dir_ / "a.txt", "new");
    batch.replace(dir_ / "b.txt", "b");
    EXPECT_EQ(read_file(dir_ / "a.txt"), "old");
    EXPECT_FALSE(stdfs::exists(dir_ / "b.txt"));
  }  // Abandoned: temporaries removed.
  EXPECT_EQ(names(dir_), std::vector<std::string>{"a.txt"});
  EXPECT_EQ(read_file(dir_ / "a.txt"), "old");
}

TEST_F(AtomicFileTest, BatchPublishesStagedDirectoriesAndReplacements) {
  for (int files : {2, 40}) {  // Below and above the syncfs threshold.
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    WriteBatch batch;
    for (int i = 0; i < files; ++i) {
      const stdfs::path staging = temporary_sibling(dir_ / std::to_string(i));
      batch.create_directory(staging);
      batch.create(staging / "data", "content " + std::to_string(i));
      batch.rename(staging, dir_ / std::to_string(i));
    }
    batch.replace(dir_ / "index.json", "{}");
    batch.commit();
    EXPECT_EQ(names(dir_).size(), static_cast<std::size_t>(files + 1));
    for (int i = 0; i < files; ++i) {
      EXPECT_EQ(read_file(dir_ / std::to_string(i) / "data"), "content " + std::to_string(i));
    }
    EXPECT_EQ(read_file(dir_ / "index.json"), "{}");
  }
}

TEST_F(AtomicFileTest, DirectoriesAndRemovals) {
  create_directories_durably(dir_ / "a/b/c");
  EXPECT_TRUE(stdfs::is_directory(dir_ / "a/b/c"));
  create_directories_durably(dir_ / "a/b/c");  // Existing: fine.
  remove_durably(dir_ / "a");
  EXPECT_FALSE(stdfs::exists(dir_ / "a"));
  remove_durably(dir_ / "a");  // Missing: fine.
}

TEST_F(AtomicFileTest, OverwriteKeepsTheInodeAndPadsWhatIsShorter) {
  write_file(dir_ / "p.json", R"({"status": "incomplete"})");
  const auto inode = [&] {
    struct stat st;
    EXPECT_EQ(::stat((dir_ / "p.json").c_str(), &st), 0);
    return st.st_ino;
  };
  const auto before = inode();
  EXPECT_TRUE(overwrite_file(dir_ / "p.json", R"({"status": "complete"})", ' '));
  EXPECT_EQ(read_file(dir_ / "p.json"), R"({"status": "complete"}  )");
  EXPECT_EQ(inode(), before);
  EXPECT_TRUE(overwrite_file(dir_ / "p.json", R"({"status": "complete", "more": 1})", ' '));
  EXPECT_EQ(read_file(dir_ / "p.json"), R"({"status": "complete", "more": 1})");
  EXPECT_EQ(inode(), before);
  // Beyond one page: replaced through a temporary file, no blanks left over.
  const std::string big(5000, 'x');
  EXPECT_TRUE(overwrite_file(dir_ / "p.json", big, ' '));
  EXPECT_EQ(read_file(dir_ / "p.json"), big);
  EXPECT_TRUE(overwrite_file(dir_ / "p.json", "small", ' '));
  EXPECT_EQ(read_file(dir_ / "p.json"), "small");
  EXPECT_EQ(names(dir_), std::vector<std::string>{"p.json"});
  EXPECT_FALSE(overwrite_file(dir_ / "missing.json", "x", ' '));
  EXPECT_FALSE(stdfs::exists(dir_ / "missing.json"));
}

}  // namespace
}  // namespace databus::durable
