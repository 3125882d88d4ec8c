// Issue 18, point 3, end to end: `databus drive` moves files far larger than
// the spool threshold from a folder to a folder with its memory bounded by
// chunks, not by the files (docs/architecture.md "Large attachments"), and
// the bytes arrive unchanged. The bound is asserted on the child's peak
// resident set, which the kernel reports to its parent (getrusage), so the
// test asserts what the process held, never how fast it ran.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "cli/cli_test_support.h"
#include "databus/attachment_content.h"

namespace databus::cli {
namespace {

constexpr std::uint64_t kFileBytes = std::uint64_t{256} << 20;
constexpr int kFiles = 3;
constexpr long kMaxRssKiB = 200 * 1024;  // 200 MB, far below one file.

// Writes `bytes` bytes of a pattern that differs per file and per chunk;
// returns the SHA-256 of what it wrote.
std::string write_large(const fs::path& path, std::uint64_t bytes, int seed) {
  {
    std::ofstream out(path, std::ios::binary);
    std::string chunk(1 << 20, '\0');
    for (std::uint64_t at = 0; at < bytes; at += chunk.size()) {
      for (std::size_t i = 0; i < chunk.size(); i += 64) {
        chunk[i] = static_cast<char>((at >> 20) + i / 64 + seed);
      }
      const std::uint64_t n = std::min<std::uint64_t>(chunk.size(), bytes - at);
      out.write(chunk.data(), static_cast<std::streamsize>(n));
    }
  }
  return file_sha256(path);
}

}  // namespace

class CliLargeTest : public CliTest {};

TEST_F(CliLargeTest, ADriveOfLargeFilesKeepsItsMemoryBoundedAndTheBytesUnchanged) {
  const fs::path in = dir_ / "in", done = dir_ / "done", out = dir_ / "out";
  fs::create_directories(in);
  write(data_ / "clients" / "acme" / "config.json", R"({
    "passengers": [ { "name": "databus.passenger.generic.files",
                      "pullers": [ { "module": "databus.puller.directory", "path": ")" +
                                                        in.string() + R"(",
                                     "done_path": ")" + done.string() +
                                                        R"(" } ],
                      "pushers": [ { "module": "databus.pusher.directory", "path": ")" +
                                                        out.string() + R"(" } ] } ],
    "users": [] })");
  std::map<std::string, std::string> sums;
  for (int i = 0; i < kFiles; ++i) {
    const std::string name = "big" + std::to_string(i) + ".bin";
    sums[name] = write_large(in / name, kFileBytes + i, i);
  }

  const ProgramResult result =
      run_program({DATABUS_CLI_PATH, "drive", "acme", "databus.passenger.generic.files",
                   "--data-dir", data_.string(), "--large-attachment-bytes", "1048576"},
                  dir_, std::chrono::minutes(10));
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  // The largest resident set of any child this process waited for: the
  // drive is the only child of this test's process (ctest runs each test
  // in a process of its own).
  struct rusage usage {};
  ASSERT_EQ(getrusage(RUSAGE_CHILDREN, &usage), 0);
  EXPECT_LT(usage.ru_maxrss, kMaxRssKiB) << "peak RSS " << usage.ru_maxrss << " KiB";

  std::size_t pushed = 0;
  for (const auto& folder : fs::directory_iterator(out)) {
    for (const auto& file : fs::directory_iterator(folder.path())) {
      const std::string name = file.path().filename().string();
      ASSERT_TRUE(sums.count(name)) << name;
      EXPECT_EQ(file_sha256(file.path()), sums[name]) << name;
      ++pushed;
    }
  }
  EXPECT_EQ(pushed, sums.size());
  for (const auto& [name, sum] : sums) EXPECT_EQ(file_sha256(done / name), sum) << name;
  // Nothing left in the spool folder once the drive ended.
  std::size_t spooled = 0;
  for (auto it = fs::recursive_directory_iterator(data_ / ".spool");
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_regular_file() && it->path().filename() != ".lock") ++spooled;
  }
  EXPECT_EQ(spooled, 0u);
}

}  // namespace databus::cli
