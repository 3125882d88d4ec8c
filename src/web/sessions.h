// Browser sessions: a random id in an HttpOnly cookie maps to who logged in.
//
// A session remembers the user's token at login; the access layer compares it
// with the token in the client's current configuration on every request, so
// revoking (replacing) a token ends every session of that user.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "databus/time.h"

namespace databus::web {

struct Session {
  std::string id;          // 32 random bytes, hex.
  std::string csrf_token;  // 32 random bytes, hex; required on every POST.
  std::string client_id;
  std::string username;  // Empty when the client has authentication off.
  std::string token_at_login;
  TimePoint created{};
  TimePoint last_seen{};
  std::string flash;  // A message shown once on the next page.
};

class SessionStore {
 public:
  // A session ends after `idle` without requests or `absolute` after login.
  SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute);

  // Starts a session with fresh random id and CSRF token.
  Session create(const std::string& client_id, const std::string& username,
                 const std::string& token_at_login, TimePoint now = Clock::now());

  // The live session `id` (refreshing last_seen), or nullopt when unknown or
  // expired (an expired one is removed).
  std::optional<Session> find(const std::string& id, TimePoint now = Clock::now());

  void remove(const std::string& id);
  // Ends every session of the user (password change).
  void remove_user(const std::string& client_id, const std::string& username);

  void set_flash(const std::string& id, std::string message);
  // The flash message, cleared.
  std::string take_flash(const std::string& id);

  std::size_t size();

 private:
  bool expired(const Session& s, TimePoint now) const;

  const std::chrono::seconds idle_;
  const std::chrono::seconds absolute_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;  // Guarded by mutex_.
};

}  // namespace databus::web
