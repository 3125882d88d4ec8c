// Attachment content as a stream: how components read an attachment whatever
// its size, and how they make a large one without holding it in memory
// (docs/architecture.md "Large attachments").
//
// An attachment above the spool threshold is *spooled*: Attachment::spool
// names an immutable file holding its bytes (with their size and SHA-256) and
// Attachment::content is empty. A component that reads content through
// ContentReader (or content_size(), read_content() with a limit) works for
// both kinds; one that reads `content` directly sees an empty string for a
// spooled attachment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "databus/attachment.h"
#include "databus/error.h"

namespace databus {

// The file behind a spooled attachment. Its bytes never change while a
// handle exists: writers replace such files by rename, never in place.
// Thread-safety: immutable, safe to share between threads.
class SpooledFile {
 public:
  // `temporary`: the file belongs to this handle (a spool file a puller
  // made) and is removed when the last handle is released; otherwise it
  // belongs to a store, which keeps it while the entry exists.
  SpooledFile(std::filesystem::path path, std::uint64_t size, std::string sha256, bool temporary);
  SpooledFile(const SpooledFile&) = delete;
  SpooledFile& operator=(const SpooledFile&) = delete;
  ~SpooledFile();

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  // Lower-case hex SHA-256 of the bytes.
  const std::string& sha256() const { return sha256_; }
  bool temporary() const { return temporary_; }

 private:
  std::filesystem::path path_;
  std::uint64_t size_;
  std::string sha256_;
  bool temporary_;
};

// Where spool files are made and from which size on. The dispatcher fills it
// from the ticket (DispatcherTicket::large_attachment_bytes, the spool
// folder <data dir>/.spool) and hands it to components through DriveContext.
struct SpoolSettings {
  // Default: empty, meaning <temp_directory_path()>/databus-spool.
  std::filesystem::path dir;
  // Content of more than this many bytes is spooled. Default: 16 MiB.
  std::uint64_t threshold = std::uint64_t{16} << 20;

  // `dir`, or the default when it is empty.
  std::filesystem::path folder() const;
};

// The most bytes of one attachment a built-in component that needs content
// whole reads into memory (the JSON form of a passenger the exec components
// write to a command's stdin and the HTTP pusher's "json" format send):
// a larger one is refused with ContentTooLargeError. Default: 64 MiB.
inline constexpr std::uint64_t kWholeContentLimit = std::uint64_t{64} << 20;

// Content too large for a component that needs it whole: what() names the
// passenger, the attachment, its size and the limit.
class ContentTooLargeError : public Error {
 public:
  using Error::Error;
};

// Reads one attachment's bytes from the start, chunk by chunk, from memory or
// from its spooled file. The attachment (and its handle) must outlive the
// reader. Not thread-safe.
class ContentReader {
 public:
  // The size of the chunks next() returns.
  static constexpr std::size_t kChunk = std::size_t{1} << 20;

  // Throws StorageError naming the file when a spooled file cannot be opened.
  explicit ContentReader(const Attachment& attachment);
  ContentReader(const ContentReader&) = delete;
  ContentReader& operator=(const ContentReader&) = delete;
  ~ContentReader();

  // The next at most kChunk bytes (valid until the next call), empty at the
  // end. Throws StorageError when the file cannot be read or is shorter than
  // its recorded size.
  std::string_view next();
  // Copies at most `max` bytes into `out`; 0 at the end. Errors as next().
  std::size_t read(char* out, std::size_t max);

 private:
  std::string_view memory_;  // Unread part of in-memory content.
  int fd_ = -1;
  std::uint64_t left_ = 0;  // Unread bytes of the file.
  std::string path_;
  std::string buffer_;
};

// The content's size in bytes, without reading it.
std::uint64_t content_size(const Attachment& attachment);
// Lower-case hex SHA-256 of the content (recorded for a spooled one).
std::string content_sha256(const Attachment& attachment);
// Lower-case hex SHA-256 of the file `path`, read in chunks. Throws
// StorageError naming the path when it cannot be read.
std::string file_sha256(const std::filesystem::path& path);
// The whole content in memory. Throws ContentTooLargeError when it has more
// than `limit` bytes, naming `passenger` (Passenger::describe()) and the
// attachment; StorageError as ContentReader.
std::string read_content(const Attachment& attachment, std::uint64_t limit,
                         const std::string& passenger);
// True when both hold the same bytes (compared by size and SHA-256 when both
// are spooled, else read).
bool same_content(const Attachment& a, const Attachment& b);

// Builds an attachment from content written piece by piece: in memory while
// it is at most the threshold, in a new spool file (in settings.folder(),
// created when missing) from the first byte beyond it. Not thread-safe.
class AttachmentWriter {
 public:
  AttachmentWriter(const SpoolSettings& settings, std::string name, AttachmentFormat format);
  AttachmentWriter(const AttachmentWriter&) = delete;
  AttachmentWriter& operator=(const AttachmentWriter&) = delete;
  // Removes a spool file finish() did not hand over.
  ~AttachmentWriter();

  // Throws StorageError (NoSpaceError when the disk is full) naming the file.
  void write(std::string_view bytes);
  // The attachment. A spooled one's file is synced (with its folder) before
  // this returns, so a store that links it keeps durable bytes, and is
  // removed when its last handle is released. REQUIRES: called once.
  Attachment finish();

 private:
  void open_spool();

  SpoolSettings settings_;
  Attachment attachment_;
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  struct Digest;
  std::unique_ptr<Digest> digest_;
};

// An attachment holding the bytes of the file `path`, read in chunks
// (spooled when larger than the threshold). The file may be moved or deleted
// afterwards. Throws StorageError naming `path` when it cannot be read.
Attachment attachment_from_file(const SpoolSettings& settings, const std::filesystem::path& path,
                                std::string name, AttachmentFormat format);

}  // namespace databus
