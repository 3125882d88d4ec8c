#include "storage/json_db/entry_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

namespace databus {
namespace {

// Upper bound of the cache (attachment bytes plus a fixed allowance per
// entry): a drive of ~50,000 1 KiB passengers.
constexpr std::size_t kCacheBytes = 64u << 20;
constexpr std::size_t kEntryOverhead = 1024;

}  // namespace

EntryCache::~EntryCache() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

const QueueEntry* EntryCache::find(const std::string& id) const {
  auto it = entries_.find(id);
  if (it == entries_.end()) return nullptr;
  // Someone may have changed the files behind the engine's back.
  const std::string file = id + "/passenger.json";
  std::optional<durable::FileVersion> now =
      dir_fd_ >= 0 ? durable::version_at(dir_fd_, file) : durable::version_of(dir_ / file);
  if (!now || !(*now == it->second.version)) return nullptr;
  return &it->second.entry;
}

void EntryCache::put(QueueEntry entry, const durable::FileVersion& version) {
  if (dir_fd_ < 0) dir_fd_ = ::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  std::string id = entry.passenger.internal_id;
  erase(id);
  std::size_t bytes = kEntryOverhead;
  for (const Attachment& a : entry.passenger.attachments) bytes += a.content.size();
  if (bytes > kCacheBytes / 4) return;  // A giant entry would push out everything else.
  const std::uint64_t number = ++number_;
  entries_.emplace(id, Cached{std::move(entry), number, bytes, version});
  order_.emplace_back(number, std::move(id));
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
