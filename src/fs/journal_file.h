// JournalFile: an append-only file of checksummed records, the write-ahead
// journal of an engine that keeps its data in many small files. A batch of
// changes is appended as records and made durable with one write and one
// fdatasync(); the engine then changes its files without syncing each one,
// and at a checkpoint makes the files durable (sync_file_system()) before
// clearing the journal. After a crash, replaying the journal's records in
// order redoes whatever of the files was not durable yet.
//
// Framing: each record is [length: u32 LE][crc: u32 LE][payload], the CRC-32
// covering the length bytes and the payload; a length of 0 is invalid, so a
// zero-filled tail never reads as a record. A crash in append() can leave a
// torn last record; read() stops at the first record that is cut short or
// fails its checksum (such records were never acknowledged).
//
// Every method throws StorageError naming the path on an I/O failure.
//
// Thread-safety: none; one owner (the engine's per-client writer lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace databus::durable {

class JournalFile {
 public:
  // Opens `path` for appending after what it holds, creating it (durably:
  // its directory is synced) when missing. REQUIRES: the parent directory
  // exists.
  explicit JournalFile(std::filesystem::path path);
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;
  ~JournalFile();

  // The intact records of the file at `path`, oldest first, up to the first
  // torn or corrupt one; none when the file does not exist.
  static std::vector<std::string> read(const std::filesystem::path& path);

  // Appends `records` (each non-empty) and makes them durable before returning.
  // REQUIRES: the file holds no torn record (after a crash, read() it,
  // replay and clear() it before appending again).
  void append(std::span<const std::string> records);
  // Empties the file, durably.
  void clear();
  // The file's size in bytes.
  std::uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// CRC-32 (IEEE 802.3, as zlib's crc32()) of `bytes`, continuing from `crc`.
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace databus::durable
