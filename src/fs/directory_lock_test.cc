#include "fs/directory_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "databus/error.h"
#include "fs/atomic_file.h"

namespace databus::durable {
namespace {

TEST(DirectoryLockTest, OneHolderAtATimeWithinAProcess) {
  const auto dir =
      std::filesystem::path(testing::TempDir()) / ("databus_lock_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    DirectoryLock lock(dir / "data");  // Creates the directory.
    EXPECT_EQ(read_file(dir / "data/.lock"), std::to_string(::getpid()) + "\n");
    EXPECT_THROW(DirectoryLock(dir / "data"), StorageError);
    EXPECT_THROW(DirectoryLock(dir / "data/../data"), StorageError);  // Same directory.
    DirectoryLock other(dir / "other");                               // Different one: fine.
  }
  EXPECT_NO_THROW(DirectoryLock(dir / "data"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace databus::durable
