// Slows down and then locks repeated failed logins, per key (the web server
// uses one key per client/user and one per remote address).
//
// The policy (LoginThrottlePolicy) says when a key is slowed down and
// locked. Waiting is enforced by refusing attempts early (HTTP 429 with
// Retry-After), never by holding a server thread.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "databus/time.h"
#include "databus/web_server.h"

namespace databus::web {

using ThrottlePolicy = databus::LoginThrottlePolicy;  // databus/web_server.h

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottlePolicy policy);

  // Zero when `key` may try now, else how long it must still wait.
  std::chrono::seconds wait(const std::string& key, TimePoint now = Clock::now());
  void failed(const std::string& key, TimePoint now = Clock::now());
  void succeeded(const std::string& key);

 private:
  struct Record {
    int failures = 0;
    TimePoint next_allowed{};
  };
  const ThrottlePolicy policy_;
  std::mutex mutex_;
  std::map<std::string, Record> records_;  // Guarded by mutex_.
};

}  // namespace databus::web
