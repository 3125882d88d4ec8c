// Slows down and then locks repeated failed logins, per key (the web server
// uses one key per client/user and one per remote address).
//
// The policy (LoginThrottlePolicy) says when a key is slowed down and
// locked. Waiting is enforced by refusing attempts early (HTTP 429 with
// Retry-After), never by holding a server thread.
//
// An attempt counts as failed from the moment it starts (begin_attempt()),
// before the password is checked, until succeeded() clears its keys: so
// attempts sent at the same time are throttled exactly as if they had come
// one after another (docs/security.md, "Hostile connections").
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "databus/time.h"
#include "databus/web_server.h"

namespace databus::web {

using ThrottlePolicy = databus::LoginThrottlePolicy;  // databus/web_server.h

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottlePolicy policy);

  // Zero when `key` may try now, else how long it must still wait.
  std::chrono::seconds wait(const std::string& key, TimePoint now = Clock::now());
  // Starts an attempt for all of `keys` at once: when each may try now,
  // counts a failure for each (the delay they earn is reserved now) and
  // returns zero; else counts nothing and returns the longest wait.
  std::chrono::seconds begin_attempt(const std::vector<std::string>& keys,
                                     TimePoint now = Clock::now());
  // The attempt succeeded: forgets the key's failures.
  void succeeded(const std::string& key);

 private:
  struct Record {
    int failures = 0;
    TimePoint next_allowed{};
  };
  std::chrono::seconds wait_locked(const std::string& key, TimePoint now) const;
  void count_failure(const std::string& key, TimePoint now);

  const ThrottlePolicy policy_;
  std::mutex mutex_;
  std::map<std::string, Record> records_;  // Guarded by mutex_.
};

}  // namespace databus::web
