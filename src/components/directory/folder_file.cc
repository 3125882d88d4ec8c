#include "components/directory/folder_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "components/directory/directory_components.h"

namespace databus::directory_internal {
namespace {

namespace fs = std::filesystem;

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(-1); }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::int64_t mtime_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// The real path of `path` (every link resolved), or "" when it cannot be had.
std::string real_path(const fs::path& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return "";
  std::string out(resolved);
  std::free(resolved);
  return out;
}

// Opens `relative` (components separated by '/', none "." or "..") below the
// folder open as `dir`, following no link; -1 with errno set on failure.
int open_below(int dir, const std::string& relative) {
  Fd current;
  int at = dir;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = relative.find('/', start);
    const std::string part = relative.substr(start, slash - start);
    if (slash == std::string::npos) {
      return ::openat(at, part.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    }
    const int next = ::openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return -1;
    current.reset(next);
    at = next;
    start = slash + 1;
  }
}

FolderFile with(FolderFile::Outcome outcome, std::string detail = "") {
  FolderFile f;
  f.outcome = outcome;
  f.detail = std::move(detail);
  return f;
}

}  // namespace

FolderFile read_folder_file(const fs::path& folder, const std::string& name,
                            const SpoolSettings& spool) {
  using Outcome = FolderFile::Outcome;
  const fs::path path = folder / name;
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0)
    return with(Outcome::failed, "cannot open " + folder.string() + ": " + std::strerror(errno));
  struct stat link {};
  if (::fstatat(dir.get(), name.c_str(), &link, AT_SYMLINK_NOFOLLOW) != 0) {
    return with(Outcome::skipped);  // Gone meanwhile.
  }
  std::string relative = name;
  if (S_ISLNK(link.st_mode)) {
    const std::string target = real_path(path);
    if (target.empty()) return with(Outcome::skipped);  // Dangling, or a loop.
    const std::string inside = real_path(folder);
    if (target == inside) return with(Outcome::skipped);  // The folder itself.
    if (inside.empty() || target.size() <= inside.size() + 1 ||
        target.compare(0, inside.size(), inside) != 0 || target[inside.size()] != '/') {
      return with(Outcome::outside, target);
    }
    relative = target.substr(inside.size() + 1);
  } else if (!S_ISREG(link.st_mode)) {
    return with(Outcome::skipped);
  }

  Fd file(open_below(dir.get(), relative));
  if (file.get() < 0) {
    if (errno == ELOOP || errno == ENOTDIR || errno == ENOENT) return with(Outcome::changed);
    return with(Outcome::failed, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct stat before {};
  if (::fstat(file.get(), &before) != 0 || !S_ISREG(before.st_mode)) return with(Outcome::skipped);
  FolderFile out;
  AttachmentWriter writer(spool, name, AttachmentFormat::binary);
  std::string chunk(ContentReader::kChunk, '\0');
  std::string head;  // The first chunk, to tell text from binary.
  std::size_t got = 0;
  try {
    while (true) {
      const ssize_t n = ::read(file.get(), chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return with(Outcome::failed, "cannot read " + path.string() + ": " + std::strerror(errno));
      }
      if (n == 0) break;
      const std::string_view bytes(chunk.data(), static_cast<std::size_t>(n));
      if (got == 0) head.assign(bytes);
      writer.write(bytes);
      got += bytes.size();
    }
    out.attachment = writer.finish();
  } catch (const StorageError& e) {
    return with(Outcome::failed, "cannot spool " + path.string() + ": " + e.what());
  }
  out.attachment.format = format_of(out.attachment, head);
  struct stat after {};
  if (::fstat(file.get(), &after) != 0 || mtime_of(after) != mtime_of(before) ||
      after.st_size != before.st_size || got != static_cast<std::size_t>(before.st_size)) {
    return with(Outcome::changed);
  }
  out.outcome = Outcome::read;
  out.size = got;
  out.mtime_ns = mtime_of(before);
  return out;
}

}  // namespace databus::directory_internal
