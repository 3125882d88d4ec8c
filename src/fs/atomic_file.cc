#include "fs/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <random>
#include <set>
#include <sstream>

#include "databus/error.h"
#include "fs/no_space.h"

namespace databus::durable {
namespace {

namespace stdfs = std::filesystem;

// Above this many files a batch syncs the whole file system once instead of
// each file: one syncfs() is cheaper than thousands of fsync() calls.
constexpr std::size_t kSyncfsThreshold = 16;
// What overwrite_file() writes in place: no more than one page.
constexpr std::size_t kPage = 4096;

// Above this many bytes a name does not fit in a directory entry on the file
// systems Databus runs on (NAME_MAX of ext4, XFS, btrfs, tmpfs).
constexpr std::size_t kNameMax = 255;
constexpr std::string_view kTemporaryMark = ".tmp-";
// ".tmp-" and 16 hex digits.
constexpr std::size_t kTemporaryTail = kTemporaryMark.size() + 16;

[[noreturn]] void fail(const std::string& what, const stdfs::path& path, int err) {
  throw_io_error(what, path, err);
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes and reports a failure (close can report a delayed write error).
  int close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

void write_all(int fd, std::string_view content, const stdfs::path& path) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

FileVersion version_from(const struct stat& st) {
  return FileVersion{
      static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

// Stores the version of open file `fd` in `*version`, if given.
void take_version(int fd, const stdfs::path& path, FileVersion* version) {
  if (version == nullptr) return;
  struct stat st;
  if (::fstat(fd, &st) != 0) fail("cannot stat", path, errno);
  *version = version_from(st);
}

// Writes `content` to a new or truncated file; fsyncs it when `sync`.
void write_plain(const stdfs::path& path, std::string_view content, bool sync,
                 FileVersion* version = nullptr) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail("cannot create", path, errno);
  write_all(fd.get(), content, path);
  if (sync && ::fsync(fd.get()) != 0) fail("cannot sync", path, errno);
  take_version(fd.get(), path, version);
  if (fd.close() != 0) fail("cannot close", path, errno);
  note_write_succeeded();
}

void sync_path(const stdfs::path& path, bool directory) {
  Fd fd(::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", path, errno);
  if (::fsync(fd.get()) != 0) fail("cannot sync", path, errno);
}

stdfs::path parent_of(const stdfs::path& path) {
  stdfs::path parent = path.parent_path();
  return parent.empty() ? stdfs::path(".") : parent;
}

}  // namespace

stdfs::path temporary_sibling(const stdfs::path& path) {
  thread_local std::mt19937_64 random(std::random_device{}());
  // The final name's first bytes, so that a leftover says what it was for
  // (and a writer can find its own leftovers by prefix), cut so that the
  // whole name fits in a directory entry whatever the final name's length.
  const std::string final_name = path.filename().string();
  std::ostringstream name;
  name << std::string_view(final_name).substr(0, kNameMax - kTemporaryTail) << kTemporaryMark
       << std::hex << std::setw(16) << std::setfill('0') << random();
  return path.parent_path() / name.str();
}

bool is_temporary_name(std::string_view name) {
  return name.find(kTemporaryMark) != std::string_view::npos;
}

void sync_directory(const stdfs::path& dir) { sync_path(dir, true); }

void sync_file_system(const stdfs::path& any) {
  Fd fd(::open(any.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open", any, errno);
  if (::syncfs(fd.get()) != 0) fail("cannot sync the file system of", any, errno);
}

void sync_paths(const std::vector<stdfs::path>& files,
                const std::vector<stdfs::path>& directories) {
  if (files.size() + directories.size() > kSyncfsThreshold) {
    sync_file_system(files.empty() ? directories.front() : files.front());
    return;
  }
  for (const auto& file : files) sync_path(file, false);
  for (const auto& dir : directories) sync_path(dir, true);
}

std::optional<FileVersion> version_of(const stdfs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return version_from(st);
}

std::optional<FileVersion> version_at(int dir_fd, const std::string& relative) {
  struct stat st;
  if (::fstatat(dir_fd, relative.c_str(), &st, 0) != 0) return std::nullopt;
  return version_from(st);
}

void write_file(const stdfs::path& path, std::string_view content, FileVersion* version) {
  write_plain(path, content, false, version);
}

bool overwrite_file(const stdfs::path& path, std::string_view content, char pad,
                    FileVersion* version) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT) return false;
  if (fd.get() < 0) fail("cannot open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) fail("cannot stat", path, errno);
  const std::size_t old_size = static_cast<std::size_t>(st.st_size);
  if (std::max(old_size, content.size()) > kPage) {
    fd.close();
    const stdfs::path temp = temporary_sibling(path);
    try {
      write_plain(temp, content, false, version);
      if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot rename to", path, errno);
    } catch (...) {
      ::unlink(temp.c_str());
      throw;
    }
    return true;
  }
  // One write within one page: the kernel copies it whole or not at all.
  std::string padded(content);
  if (padded.size() < old_size) padded.append(old_size - padded.size(), pad);
  const ssize_t n = ::pwrite(fd.get(), padded.data(), padded.size(), 0);
  if (n < 0) fail("cannot write", path, errno);
  if (static_cast<std::size_t>(n) != padded.size()) fail("short write to", path, EIO);
  // No truncation: it would cost more than the blanks it saves.
  take_version(fd.get(), path, version);
  if (fd.close() != 0) fail("cannot close", path, errno);
  return true;
}

namespace {

// Writes `content` beside `path` and renames it over `path`; syncs the
// written file when `sync`.
void replace_file(const stdfs::path& path, std::string_view content, bool sync) {
  const stdfs::path temp = temporary_sibling(path);
  try {
    write_plain(temp, content, sync);
    if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot rename to", path, errno);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

}  // namespace

void write_file_atomically(const stdfs::path& path, std::string_view content) {
  replace_file(path, content, true);
  sync_directory(parent_of(path));
}

void replace_file_unsynced(const stdfs::path& path, std::string_view content) {
  replace_file(path, content, false);
}

void create_directories_durably(const stdfs::path& dir) {
  if (stdfs::is_directory(dir)) return;
  stdfs::path parent = parent_of(dir);
  if (parent != dir) create_directories_durably(parent);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) fail("cannot create", dir, errno);
  sync_directory(parent);
}

void remove_durably(const stdfs::path& path) {
  std::error_code ec;
  stdfs::remove_all(path, ec);
  if (ec) throw StorageError("cannot remove " + path.string() + ": " + ec.message());
  sync_directory(parent_of(path));
}

std::string read_file(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StorageError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw StorageError("cannot read " + path.string());
  return std::move(out).str();
}

WriteBatch::~WriteBatch() {
  if (committed_) return;
  for (const auto& temp : temporaries_) ::unlink(temp.c_str());
}

void WriteBatch::replace(const stdfs::path& path, std::string_view content) {
  stdfs::path temp = temporary_sibling(path);
  temporaries_.push_back(temp);
  write_plain(temp, content, false);
  written_.push_back(temp);
  renames_.push_back({temp, path});
}

void WriteBatch::create(const stdfs::path& path, std::string_view content) {
  write_plain(path, content, false);
  written_.push_back(path);
}

void WriteBatch::create_directory(const stdfs::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) fail("cannot create", dir, errno);
  directories_.push_back(dir);
}

void WriteBatch::rename(const stdfs::path& from, const stdfs::path& to) {
  renames_.push_back({from, to});
}

void WriteBatch::commit() {
  if (committed_) return;
  // Directories whose entries must be durable once commit() returns.
  std::set<stdfs::path> after;
  for (const auto& r : renames_) after.insert(parent_of(r.to));
  for (const auto& file : written_) after.insert(parent_of(file));
  for (const auto& dir : directories_) after.insert(parent_of(dir));
  for (const auto& dir : directories_) after.erase(dir);  // Synced before publishing.

  // 1. Written data and the content of created directories become durable
  //    before anything is published.
  sync_paths(written_, directories_);
  // 2. Publish.
  for (const auto& r : renames_) {
    if (::rename(r.from.c_str(), r.to.c_str()) != 0) fail("cannot rename to", r.to, errno);
  }
  committed_ = true;
  // 3. The names become durable. A renamed-away directory no longer exists.
  std::vector<stdfs::path> existing;
  for (const auto& dir : after) {
    if (stdfs::exists(dir)) existing.push_back(dir);
  }
  if (existing.size() > kSyncfsThreshold) {
    sync_file_system(existing.front());
  } else {
    for (const auto& dir : existing) sync_directory(dir);
  }
}

}  // namespace databus::durable
