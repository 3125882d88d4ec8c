#include "web/login_throttle.h"

#include <algorithm>

namespace databus::web {

LoginThrottle::LoginThrottle(ThrottlePolicy policy) : policy_(policy) {}

std::chrono::seconds LoginThrottle::wait(const std::string& key, TimePoint now) {
  std::lock_guard<std::mutex> guard(mutex_);
  return wait_locked(key, now);
}

std::chrono::seconds LoginThrottle::begin_attempt(const std::vector<std::string>& keys,
                                                  TimePoint now) {
  std::lock_guard<std::mutex> guard(mutex_);
  std::chrono::seconds longest(0);
  for (const std::string& key : keys) longest = std::max(longest, wait_locked(key, now));
  if (longest.count() > 0) return longest;
  for (const std::string& key : keys) count_failure(key, now);
  return longest;
}

std::chrono::seconds LoginThrottle::wait_locked(const std::string& key, TimePoint now) const {
  auto it = records_.find(key);
  if (it == records_.end() || it->second.next_allowed <= now) return std::chrono::seconds(0);
  // Rounded up, so that a client retrying after Retry-After is let through.
  return std::chrono::ceil<std::chrono::seconds>(it->second.next_allowed - now);
}

void LoginThrottle::count_failure(const std::string& key, TimePoint now) {
  // Forget stale records so the map stays small.
  if (records_.size() > 10000) {
    std::erase_if(records_, [&](const auto& r) {
      return r.second.next_allowed + policy_.lock_duration < now;
    });
  }
  Record& r = records_[key];
  ++r.failures;
  if (r.failures >= policy_.lock_after) {
    r.next_allowed = now + policy_.lock_duration;
  } else if (r.failures >= policy_.slow_after) {
    const int doublings = std::min(r.failures - policy_.slow_after, 16);
    r.next_allowed = now + std::min<std::chrono::seconds>(policy_.base_delay * (1 << doublings),
                                                          policy_.max_delay);
  }
}

void LoginThrottle::succeeded(const std::string& key) {
  std::lock_guard<std::mutex> guard(mutex_);
  records_.erase(key);
}

}  // namespace databus::web
