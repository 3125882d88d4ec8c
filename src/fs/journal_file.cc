#include "fs/journal_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "databus/error.h"
#include "fs/atomic_file.h"
#include "fs/no_space.h"

namespace databus::durable {
namespace {

namespace stdfs = std::filesystem;

constexpr std::size_t kHeader = 8;

[[noreturn]] void fail(const std::string& what, const stdfs::path& path, int err) {
  throw_io_error(what, path, err);
}

// Slicing-by-8 tables: table[0] is the bytewise CRC table; table[k][i] is
// the CRC of byte i followed by k zero bytes. Eight bytes per step instead
// of one (the CRC of a W1 drive's journal records showed at 4 % of its time).
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

CrcTables make_crc_tables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  }
  return t;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::uint32_t record_crc(std::string_view length_bytes, std::string_view payload) {
  return crc32(payload, crc32(length_bytes));
}

}  // namespace

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
  static const CrcTables t = make_crc_tables();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  crc = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    const std::uint32_t lo = crc ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                    std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  for (; n > 0; ++p, --n) crc = t[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

JournalFile::JournalFile(stdfs::path path) : path_(std::move(path)) {
  const bool existed = stdfs::exists(path_);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot open", path_, errno);
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    fail("cannot stat", path_, err);
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
  if (!existed) {
    try {
      sync_directory(path_.has_parent_path() ? path_.parent_path() : stdfs::path("."));
    } catch (...) {
      ::close(fd_);
      throw;
    }
  }
}

JournalFile::~JournalFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> JournalFile::read(const stdfs::path& path) {
  std::vector<std::string> records;
  std::error_code ec;
  if (!stdfs::exists(path, ec)) return records;
  const std::string data = read_file(path);
  std::size_t at = 0;
  while (data.size() - at >= kHeader) {
    const std::uint32_t length = get_u32(data.data() + at);
    const std::uint32_t crc = get_u32(data.data() + at + 4);
    if (length == 0 || length > data.size() - at - kHeader) break;
    const std::string_view payload(data.data() + at + kHeader, length);
    if (record_crc(std::string_view(data.data() + at, 4), payload) != crc) break;
    records.emplace_back(payload);
    at += kHeader + length;
  }
  return records;
}

void JournalFile::append(std::span<const std::string> records) {
  if (records.empty()) return;
  std::size_t total = 0;
  for (const std::string& r : records) total += kHeader + r.size();
  std::string buffer;
  buffer.reserve(total);
  for (const std::string& r : records) {
    if (r.empty() || r.size() > 0xFFFFFFFFu) {
      throw StorageError("journal " + path_.string() + ": a record must hold 1 byte to 4 GiB");
    }
    std::string length;
    put_u32(length, static_cast<std::uint32_t>(r.size()));
    buffer += length;
    put_u32(buffer, record_crc(length, r));
    buffer += r;
  }
  const char* p = buffer.data();
  std::size_t left = buffer.size();
  int err = 0;
  while (left > 0 && err == 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno != EINTR) err = errno;
      continue;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fdatasync(fd_) != 0) err = errno;
  if (err != 0) {
    // Nothing of a failed append may stay: a torn record would hide every
    // record appended after it from read(), and a whole one would redo a
    // change its caller was told had failed. Shrinking needs no space.
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      fail("cannot append to (and then cannot cut back)", path_, err);
    }
    fail("cannot append to", path_, err);
  }
  size_ += buffer.size();
  note_write_succeeded();
}

void JournalFile::clear() {
  if (::ftruncate(fd_, 0) != 0) fail("cannot truncate", path_, errno);
  if (::fdatasync(fd_) != 0) fail("cannot sync", path_, errno);
  size_ = 0;
}

}  // namespace databus::durable
