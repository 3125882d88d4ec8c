#include "storage/memory/memory_session_storage.h"

#include <iterator>
#include <utility>

namespace databus {
namespace {

// Times to the microsecond, as every storage keeps them.
TimePoint whole_micros(TimePoint t) {
  return std::chrono::time_point_cast<std::chrono::microseconds>(t);
}

}  // namespace

void MemorySessionStorage::put(const SessionRecord& record) {
  SessionRecord stored = record;
  stored.created = whole_micros(record.created);
  stored.last_seen = whole_micros(record.last_seen);
  std::lock_guard<std::mutex> guard(mutex_);
  records_[record.key] = std::move(stored);
}

std::optional<SessionRecord> MemorySessionStorage::find(const std::string& key) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = records_.find(key);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

void MemorySessionStorage::touch(const std::string& key, TimePoint when) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = records_.find(key);
  if (it != records_.end() && it->second.last_seen < whole_micros(when)) {
    it->second.last_seen = whole_micros(when);
  }
}

void MemorySessionStorage::remove(const std::string& key) {
  std::lock_guard<std::mutex> guard(mutex_);
  records_.erase(key);
}

void MemorySessionStorage::remove_user(const std::string& client_id, const std::string& username) {
  std::lock_guard<std::mutex> guard(mutex_);
  std::erase_if(records_, [&](const auto& item) {
    return item.second.client_id == client_id && item.second.username == username;
  });
}

void MemorySessionStorage::set_flash(const std::string& key, const std::string& message) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = records_.find(key);
  if (it != records_.end()) it->second.flash = message;
}

std::string MemorySessionStorage::take_flash(const std::string& key) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = records_.find(key);
  if (it == records_.end()) return "";
  return std::exchange(it->second.flash, "");
}

std::size_t MemorySessionStorage::sweep(TimePoint seen_before, TimePoint created_before) {
  std::lock_guard<std::mutex> guard(mutex_);
  return std::erase_if(records_, [&](const auto& item) {
    return item.second.last_seen < seen_before || item.second.created < created_before;
  });
}

std::string MemorySessionStorage::shared_secret(const std::string& fresh) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (secret_.empty()) secret_ = fresh;
  return secret_;
}

}  // namespace databus
