#include "fs/no_space.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "databus/error.h"

namespace databus::durable {
namespace {

std::atomic<bool> g_no_space{false};
std::mutex g_mutex;  // Guards g_last_path.
std::string g_last_path;

}  // namespace

bool is_no_space(int err) { return err == ENOSPC || err == EDQUOT; }

void throw_io_error(const std::string& what, const std::filesystem::path& path, int err) {
  std::string message = what + " " + path.string() + ": " + std::strerror(err);
  if (is_no_space(err)) {
    note_no_space(path);
    throw NoSpaceError(std::move(message));
  }
  throw StorageError(std::move(message));
}

void note_no_space(const std::filesystem::path& path) {
  std::lock_guard<std::mutex> guard(g_mutex);
  g_last_path = path.string();
  g_no_space.store(true, std::memory_order_release);
}

void note_write_succeeded() {
  if (g_no_space.load(std::memory_order_relaxed)) g_no_space.store(false);
}

std::optional<std::string> no_space_reason(const std::filesystem::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) == 0) {
    // Root may use the blocks reserved for it; others only the available ones.
    const auto blocks = ::geteuid() == 0 ? st.f_bfree : st.f_bavail;
    if (blocks == 0) return "no space left on the file system of " + dir.string();
    if (st.f_files > 0 && st.f_favail == 0)
      return "no free inode left on the file system of " + dir.string();
  }
  if (g_no_space.load(std::memory_order_acquire)) {
    // Only a write under `dir` counts: a pusher's full target disk is that
    // pusher's error, not a reason to take the node out of service.
    const std::string under = (dir.lexically_normal() / "").string();
    std::lock_guard<std::mutex> guard(g_mutex);
    if (std::filesystem::path(g_last_path).lexically_normal().string().starts_with(under)) {
      return "the last write failed for lack of space (" + g_last_path +
             "); waiting for space to return";
    }
  }
  return std::nullopt;
}

}  // namespace databus::durable
