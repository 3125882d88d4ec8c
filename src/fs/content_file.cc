#include "fs/content_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "databus/attachment_content.h"
#include "fs/atomic_file.h"
#include "fs/no_space.h"

namespace databus::durable {
namespace {

namespace stdfs = std::filesystem;

// True when `from` now also has the name `path` (replacing what was there).
bool link_over(const stdfs::path& from, const stdfs::path& path) {
  if (::link(from.c_str(), path.c_str()) == 0) return true;
  if (errno != EEXIST) return false;
  // Link beside, then rename over: `path` is never missing meanwhile.
  const stdfs::path temp = temporary_sibling(path);
  if (::link(from.c_str(), temp.c_str()) != 0) return false;
  if (std::rename(temp.c_str(), path.c_str()) == 0) return true;
  ::unlink(temp.c_str());
  return false;
}

}  // namespace

void write_content(const stdfs::path& path, const Attachment& attachment, bool sync,
                   bool may_link) {
  if (attachment.spool == nullptr) {
    if (sync) {
      write_file_atomically(path, attachment.content);
    } else {
      write_file(path, attachment.content);
    }
    return;
  }
  // A hard link shares the bytes, which were durable before the handle was
  // given out (AttachmentWriter::finish) or belong to a store that synced them.
  if (may_link && link_over(attachment.spool->path(), path)) return;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_io_error("cannot create", path, errno);
  try {
    ContentReader reader(attachment);
    for (std::string_view chunk = reader.next(); !chunk.empty(); chunk = reader.next()) {
      while (!chunk.empty()) {
        const ssize_t n = ::write(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_io_error("cannot write", path, errno);
        chunk.remove_prefix(static_cast<std::size_t>(n));
      }
    }
    if (sync && ::fsync(fd) != 0) throw_io_error("cannot sync", path, errno);
  } catch (...) {
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  if (::close(fd) != 0) throw_io_error("cannot close", path, errno);
}

}  // namespace databus::durable
