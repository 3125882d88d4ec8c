// TokenIndex: which user a bearer token belongs to, without reading every
// client's configuration on each API request.
//
// The index maps a keyed digest of each token (so that looking it up takes
// no time that depends on the token's content) to its client. A lookup then
// reads only that client's configuration and checks the user still has the
// token: revoking or removing it takes effect at once, however it was done.
// An unknown token makes the index rebuild (reading every client) only when
// it may be stale: after invalidate() (the web server calls it after every
// save), when a looked-up token no longer matched, or when the last rebuild
// is older than `refresh` — so a token written into a configuration file by
// hand works within `refresh`, and unknown tokens cost at most one full scan
// per `refresh`.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "databus/client.h"
#include "databus/database.h"
#include "databus/time.h"

namespace databus::web {

struct TokenUser {
  std::string client_id;
  User user;
};

class TokenIndex {
 public:
  // Default `refresh`: 1 second.
  explicit TokenIndex(std::chrono::milliseconds refresh = std::chrono::seconds(1));

  // The user whose token is `token` in `db` now, or nullopt.
  std::optional<TokenUser> find(Database& db, const std::string& token,
                                TimePoint now = Clock::now());

  // Marks the index stale: a configuration was saved.
  void invalidate();

  // How often the index was built by reading every client (for tests).
  std::size_t rebuilds() const;

 private:
  void rebuild_locked(Database& db, TimePoint now);

  const std::chrono::milliseconds refresh_;
  const std::string key_;  // Of the digests.
  mutable std::mutex mutex_;
  std::map<std::string, std::string> client_of_;  // Digest -> client id. Guarded.
  bool stale_ = true;                             // Guarded by mutex_.
  TimePoint built_at_{};                          // Guarded by mutex_.
  std::size_t rebuilds_ = 0;                      // Guarded by mutex_.
};

}  // namespace databus::web
