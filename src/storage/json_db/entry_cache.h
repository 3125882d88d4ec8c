// EntryCache: the queue entries of one client written last, kept whole
// (attachments included) in memory, so that what a drive reads right after
// writing it (the next step's query, the read-modify-write of a status
// update) costs one stat() instead of reading its files. A copy is used only
// while its passenger.json is still the version written (inode, size and
// modification time); a file changed or removed behind the engine's back is
// read again. Bounded by bytes; the oldest copies go first.
//
// The owner keeps it equal to the files: put() after a write, erase() before
// a write that may fail half-way.
//
// Thread-safety: none; EntryStore guards it with its lock (find() needs the
// lock shared, put() and erase() exclusive).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "databus/queue_entry.h"

namespace databus {

class EntryCache {
 public:
  // `pqueue_dir` holds the entries' folders.
  explicit EntryCache(std::filesystem::path pqueue_dir) : dir_(std::move(pqueue_dir)) {}

  // The cached entry `id`, or nullptr when none or its file has changed.
  const QueueEntry* find(const std::string& id) const;
  // Caches `entry`, whose files hold exactly it now.
  void put(const QueueEntry& entry);
  void erase(const std::string& id);

 private:
  // What identifies one version of a file: inode, size, modification time.
  struct FileStamp {
    std::uint64_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  // The stamp of `id`'s passenger.json; nullopt when it cannot be stat'ed.
  std::optional<FileStamp> stamp_of(const std::string& id) const;

  struct Cached {
    QueueEntry entry;
    std::uint64_t number = 0;  // Insertion number, for eviction order.
    std::size_t bytes = 0;
    FileStamp stamp;  // Of passenger.json when the entry was cached.
  };

  const std::filesystem::path dir_;
  std::unordered_map<std::string, Cached> entries_;
  // (number, id) oldest first; items of erased or re-put entries are stale.
  std::deque<std::pair<std::uint64_t, std::string>> order_;
  std::uint64_t number_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace databus
