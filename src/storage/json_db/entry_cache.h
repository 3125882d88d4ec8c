// EntryCache: the queue entries of one client written last, kept whole
// (attachments included) in memory, so that what a drive reads right after
// writing it (the next step's query, the read-modify-write of a status
// update) costs one stat() instead of reading its files. A copy is used only
// while its passenger.json is still the version written (inode, size and
// modification time); a file changed or removed behind the engine's back is
// read again. The version of a copy is the one the writer took from its own
// open file (durable::FileVersion), so caching costs no system call; each
// find() does one stat(), which is what catches an outside edit or removal.
// Bounded by bytes; the oldest copies go first.
//
// The owner keeps it equal to the files: put() after a write, erase() before
// a write that may fail half-way.
//
// Thread-safety: none; EntryStore guards it with its lock (find() needs the
// lock shared, and may run on several threads at once under it; put() and
// erase() exclusive).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <utility>

#include "databus/queue_entry.h"
#include "fs/atomic_file.h"

namespace databus {

class EntryCache {
 public:
  // `pqueue_dir` holds the entries' folders.
  explicit EntryCache(std::filesystem::path pqueue_dir) : dir_(std::move(pqueue_dir)) {}
  EntryCache(const EntryCache&) = delete;
  EntryCache& operator=(const EntryCache&) = delete;
  ~EntryCache();

  // The cached entry `id`, or nullptr when none or its file has changed.
  const QueueEntry* find(const std::string& id) const;
  // Caches `entry`, whose files hold exactly it now, its passenger.json
  // being at `version`.
  void put(QueueEntry entry, const durable::FileVersion& version);
  void erase(const std::string& id);

 private:
  struct Cached {
    QueueEntry entry;
    std::uint64_t number = 0;  // Insertion number, for eviction order.
    std::size_t bytes = 0;
    durable::FileVersion version;  // Of passenger.json when the entry was cached.
  };

  const std::filesystem::path dir_;
  // dir_, opened at the first put(): find()'s stat() then looks up two path
  // components ("<id>/passenger.json") instead of the whole path. -1 when
  // not open (find() then stats the whole path).
  int dir_fd_ = -1;
  std::unordered_map<std::string, Cached> entries_;
  // (number, id) oldest first; items of erased or re-put entries are stale.
  std::deque<std::pair<std::uint64_t, std::string>> order_;
  std::uint64_t number_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace databus
