// Browser sessions: a random id in an HttpOnly cookie maps to who logged in
// (docs/security.md "Sessions").
//
// A session remembers a digest of the user's token at login; the access
// layer compares it with the token in the client's current configuration on
// every request, so revoking (replacing) a token ends every session of that
// user.
//
// The records live in a SessionStorage (include/databus/session_storage.h):
// the database's when it offers one, so that every node sharing the database
// knows every session and a load balancer needs no stickiness; otherwise one
// in this process's memory. This store keeps the rules: ids and CSRF tokens
// are random, the storage sees only a SHA-256 digest of an id, a session
// ends after `idle` without requests or `absolute` after login, last_seen is
// written at most once per kTouchInterval (so the idle time is measured to
// within that), and expired records are swept at most once per
// kSweepInterval, when a session starts.
//
// Errors: a StorageError of a shared storage (database down) is passed on.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "databus/session_storage.h"
#include "databus/time.h"

namespace databus::web {

struct Session {
  std::string id;          // 32 random bytes, hex.
  std::string csrf_token;  // 32 random bytes, hex; required on every POST.
  std::string client_id;
  std::string username;      // Empty when the client has authentication off.
  std::string token_digest;  // sha256_hex() of the user's token at login.
  TimePoint created{};
  TimePoint last_seen{};  // As stored: at most kTouchInterval old.
};

class SessionStore {
 public:
  // How often a session's last_seen is written at most.
  static constexpr std::chrono::seconds kTouchInterval{60};
  // How often expired sessions are swept at most (by this store).
  static constexpr std::chrono::seconds kSweepInterval{60};

  // A session ends after `idle` without requests or `absolute` after login.
  // Keeps the records in `shared` (Database::session_storage(), which must
  // outlive the store) when it is not null, else in memory of its own.
  SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute,
               SessionStorage* shared = nullptr);

  // Starts a session with fresh random id and CSRF token.
  Session create(const std::string& client_id, const std::string& username,
                 const std::string& token_at_login, TimePoint now = Clock::now());

  // The live session `id`, or nullopt when unknown or expired (an expired
  // one is removed).
  std::optional<Session> find(const std::string& id, TimePoint now = Clock::now());

  void remove(const std::string& id);
  // Ends every session of the user (password change, token revoked).
  void remove_user(const std::string& client_id, const std::string& username);

  void set_flash(const std::string& id, const std::string& message);
  // The flash message, cleared.
  std::string take_flash(const std::string& id);

  // A random secret (64 hex digits), the same on every node sharing the
  // storage: the key of the login forms (login.h).
  std::string shared_secret();

 private:
  bool expired(const SessionRecord& r, TimePoint now) const;

  const std::chrono::seconds idle_;
  const std::chrono::seconds absolute_;
  std::unique_ptr<SessionStorage> own_;  // Null when shared.
  SessionStorage& storage_;
  std::mutex mutex_;
  TimePoint last_sweep_{};  // Guarded by mutex_.
};

}  // namespace databus::web
