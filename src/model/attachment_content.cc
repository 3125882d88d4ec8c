#include "databus/attachment_content.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "databus/uuid.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

// NoSpaceError for a full disk or quota, else StorageError; both name `path`.
[[noreturn]] void throw_file_error(const std::string& what, const stdfs::path& path, int error) {
  const std::string message = what + " " + path.string() + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) throw NoSpaceError(message);
  throw StorageError(message);
}

void sync_folder(const stdfs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_file_error("cannot open", dir, errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) throw_file_error("cannot sync", dir, error);
}

std::string hex(const unsigned char* bytes, unsigned int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  return out;
}

// SHA-256 over the bytes as they are written (OpenSSL's EVP interface).
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new()) {
    if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(context_);
      throw std::bad_alloc();
    }
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256() { EVP_MD_CTX_free(context_); }
  void add(std::string_view bytes) { EVP_DigestUpdate(context_, bytes.data(), bytes.size()); }
  std::string finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(context_, out, &n);
    return hex(out, n);
  }

 private:
  EVP_MD_CTX* context_;
};

// Writes all of `bytes` to `fd`.
void write_all(int fd, std::string_view bytes, const stdfs::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_file_error("cannot write", path, errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Fills `out` from `reader` as far as the content goes; returns the count.
std::size_t fill(ContentReader& reader, std::string& out) {
  std::size_t at = 0;
  while (at < out.size()) {
    const std::size_t n = reader.read(out.data() + at, out.size() - at);
    if (n == 0) break;
    at += n;
  }
  return at;
}

}  // namespace

struct AttachmentWriter::Digest : Sha256 {};

SpooledFile::SpooledFile(stdfs::path path, std::uint64_t size, std::string sha256, bool temporary)
    : path_(std::move(path)), size_(size), sha256_(std::move(sha256)), temporary_(temporary) {}

SpooledFile::~SpooledFile() {
  if (temporary_) ::unlink(path_.c_str());
}

stdfs::path SpoolSettings::folder() const {
  if (!dir.empty()) return dir;
  std::error_code ec;
  stdfs::path temp = stdfs::temp_directory_path(ec);
  if (ec) temp = "/tmp";
  return temp / "databus-spool";
}

bool Attachment::operator==(const Attachment& other) const {
  if (name != other.name || format != other.format || full_name != other.full_name ||
      content != other.content || (spool == nullptr) != (other.spool == nullptr)) {
    return false;
  }
  return spool == nullptr || spool == other.spool ||
         (spool->size() == other.spool->size() && spool->sha256() == other.spool->sha256());
}

ContentReader::ContentReader(const Attachment& attachment) {
  if (attachment.spool == nullptr) {
    memory_ = attachment.content;
    return;
  }
  path_ = attachment.spool->path().string();
  left_ = attachment.spool->size();
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw_file_error("cannot open attachment file", path_, errno);
}

ContentReader::~ContentReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t ContentReader::read(char* out, std::size_t max) {
  if (fd_ < 0) {
    const std::size_t n = std::min(max, memory_.size());
    std::memcpy(out, memory_.data(), n);
    memory_.remove_prefix(n);
    return n;
  }
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(max, left_));
  if (want == 0) return 0;
  ssize_t n;
  do {
    n = ::read(fd_, out, want);
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw_file_error("cannot read attachment file", path_, errno);
  if (n == 0) throw StorageError("attachment file " + path_ + " is shorter than its recorded size");
  left_ -= static_cast<std::uint64_t>(n);
  return static_cast<std::size_t>(n);
}

std::string_view ContentReader::next() {
  if (fd_ < 0) {
    const std::string_view chunk = memory_.substr(0, kChunk);
    memory_.remove_prefix(chunk.size());
    return chunk;
  }
  buffer_.resize(kChunk);
  const std::size_t n = read(buffer_.data(), buffer_.size());
  return std::string_view(buffer_.data(), n);
}

std::uint64_t content_size(const Attachment& attachment) {
  return attachment.spool != nullptr ? attachment.spool->size() : attachment.content.size();
}

std::string content_sha256(const Attachment& attachment) {
  if (attachment.spool != nullptr) return attachment.spool->sha256();
  Sha256 digest;
  digest.add(attachment.content);
  return digest.finish();
}

std::string file_sha256(const stdfs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_file_error("cannot open", path, errno);
  Sha256 digest;
  std::string buffer(ContentReader::kChunk, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw_file_error("cannot read", path, error);
    }
    if (n == 0) break;
    digest.add(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return digest.finish();
}

std::string read_content(const Attachment& attachment, std::uint64_t limit,
                         const std::string& passenger) {
  const std::uint64_t size = content_size(attachment);
  if (size > limit) {
    throw ContentTooLargeError("attachment '" + attachment.name + "' of passenger " + passenger +
                               " has " + std::to_string(size) + " bytes, more than the limit of " +
                               std::to_string(limit) + " bytes for content read whole");
  }
  if (attachment.spool == nullptr) return attachment.content;
  std::string out(static_cast<std::size_t>(size), '\0');
  ContentReader reader(attachment);
  std::size_t at = 0;
  while (at < out.size()) at += reader.read(out.data() + at, out.size() - at);
  return out;
}

bool same_content(const Attachment& a, const Attachment& b) {
  if (content_size(a) != content_size(b)) return false;
  if (a.spool != nullptr && b.spool != nullptr) return a.spool->sha256() == b.spool->sha256();
  ContentReader left(a);
  ContentReader right(b);
  std::string l(ContentReader::kChunk, '\0');
  std::string r(ContentReader::kChunk, '\0');
  for (;;) {
    const std::size_t n = fill(left, l);
    if (n != fill(right, r) || l.compare(0, n, r, 0, n) != 0) return false;
    if (n < l.size()) return true;
  }
}

AttachmentWriter::AttachmentWriter(const SpoolSettings& settings, std::string name,
                                   AttachmentFormat format)
    : settings_(settings), digest_(std::make_unique<Digest>()) {
  attachment_.name = std::move(name);
  attachment_.format = format;
}

AttachmentWriter::~AttachmentWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
}

void AttachmentWriter::open_spool() {
  const stdfs::path folder = settings_.folder();
  std::error_code ec;
  stdfs::create_directories(folder, ec);
  if (ec) throw_file_error("cannot create spool folder", folder, ec.value());
  path_ = folder / (new_uuid() + ".spool");
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) throw_file_error("cannot create spool file", path_, errno);
}

void AttachmentWriter::write(std::string_view bytes) {
  digest_->add(bytes);
  size_ += bytes.size();
  if (fd_ < 0 && size_ <= settings_.threshold) {
    attachment_.content.append(bytes);
    return;
  }
  if (fd_ < 0) {
    open_spool();
    write_all(fd_, attachment_.content, path_);
    attachment_.content = std::string();  // Frees what was held.
  }
  write_all(fd_, bytes, path_);
}

Attachment AttachmentWriter::finish() {
  std::string sha256 = digest_->finish();
  if (fd_ < 0) return std::move(attachment_);
  if (::fsync(fd_) != 0) throw_file_error("cannot sync spool file", path_, errno);
  ::close(fd_);
  fd_ = -1;
  auto spool = std::make_shared<const SpooledFile>(path_, size_, std::move(sha256), true);
  sync_folder(path_.parent_path());
  attachment_.spool = std::move(spool);
  return std::move(attachment_);
}

Attachment attachment_from_file(const SpoolSettings& settings, const stdfs::path& path,
                                std::string name, AttachmentFormat format) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_file_error("cannot open", path, errno);
  AttachmentWriter writer(settings, std::move(name), format);
  std::string buffer(ContentReader::kChunk, '\0');
  try {
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_file_error("cannot read", path, errno);
      if (n == 0) break;
      writer.write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return writer.finish();
}

}  // namespace databus
