#include "storage/json_db/entry_cache.h"

#include <sys/stat.h>

#include <vector>

namespace databus {
namespace {

// Upper bound of the cache (attachment bytes plus a fixed allowance per
// entry): a drive of ~50,000 1 KiB passengers.
constexpr std::size_t kCacheBytes = 64u << 20;
constexpr std::size_t kEntryOverhead = 1024;

}  // namespace

std::optional<EntryCache::FileStamp> EntryCache::stamp_of(const std::string& id) const {
  struct stat st;
  if (::stat((dir_ / id / "passenger.json").c_str(), &st) != 0) return std::nullopt;
  return FileStamp{static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

const QueueEntry* EntryCache::find(const std::string& id) const {
  auto it = entries_.find(id);
  if (it == entries_.end()) return nullptr;
  // Someone may have changed the files behind the engine's back.
  std::optional<FileStamp> now = stamp_of(id);
  if (!now || !(*now == it->second.stamp)) return nullptr;
  return &it->second.entry;
}

void EntryCache::put(const QueueEntry& entry) {
  const std::string& id = entry.passenger.internal_id;
  erase(id);
  std::size_t bytes = kEntryOverhead;
  for (const Attachment& a : entry.passenger.attachments) bytes += a.content.size();
  if (bytes > kCacheBytes / 4) return;  // A giant entry would push out everything else.
  std::optional<FileStamp> stamp = stamp_of(id);
  if (!stamp) return;
  const std::uint64_t number = ++number_;
  entries_.emplace(id, Cached{entry, number, bytes, *stamp});
  order_.emplace_back(number, id);
  bytes_ += bytes;
  if (order_.size() > 2 * entries_.size() + 1024) {
    // Re-written entries leave stale items behind; drop them.
    std::erase_if(order_, [this](const auto& item) {
      auto it = entries_.find(item.second);
      return it == entries_.end() || it->second.number != item.first;
    });
  }
  while (bytes_ > kCacheBytes && !order_.empty()) {
    auto [oldest, oldest_id] = std::move(order_.front());
    order_.pop_front();
    auto it = entries_.find(oldest_id);
    if (it != entries_.end() && it->second.number == oldest) {
      bytes_ -= it->second.bytes;
      entries_.erase(it);
    }
  }
}

void EntryCache::erase(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  bytes_ -= it->second.bytes;
  entries_.erase(it);  // Its order_ item is skipped when it comes up.
  if (entries_.empty()) order_.clear();
}

}  // namespace databus
