#include "web/token_index.h"

#include "databus/error.h"
#include "web/credentials.h"

namespace databus::web {
namespace {

std::optional<ClientConfig> try_load(Database& db, const std::string& client_id) {
  try {
    return db.load_client(client_id);
  } catch (const Error&) {
    return std::nullopt;  // Unknown or malformed: none of its tokens is valid.
  }
}

std::optional<TokenUser> user_with_token(const ClientConfig& config, const std::string& token) {
  for (const User& u : config.users) {
    if (!u.token.empty() && secrets_equal(u.token, token)) return TokenUser{config.id, u};
  }
  return std::nullopt;
}

}  // namespace

TokenIndex::TokenIndex(std::chrono::milliseconds refresh)
    : refresh_(refresh), key_(random_hex(32)) {}

std::optional<TokenUser> TokenIndex::find(Database& db, const std::string& token, TimePoint now) {
  if (token.empty()) return std::nullopt;
  const std::string digest = keyed_digest(key_, token);
  std::optional<std::string> client_id;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = client_of_.find(digest);
    if (it != client_of_.end()) client_id = it->second;
  }
  if (client_id) {
    if (std::optional<ClientConfig> config = try_load(db, *client_id)) {
      if (std::optional<TokenUser> found = user_with_token(*config, token)) return found;
    }
    invalidate();  // Revoked or moved: the index is out of date.
  }
  std::lock_guard<std::mutex> guard(mutex_);
  if (!stale_ && now - built_at_ < refresh_) return std::nullopt;
  rebuild_locked(db, now);
  auto it = client_of_.find(digest);
  if (it == client_of_.end()) return std::nullopt;
  // Just read, but read again: another thread may have saved meanwhile.
  const std::optional<ClientConfig> config = try_load(db, it->second);
  return config ? user_with_token(*config, token) : std::nullopt;
}

void TokenIndex::invalidate() {
  std::lock_guard<std::mutex> guard(mutex_);
  stale_ = true;
}

std::size_t TokenIndex::rebuilds() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return rebuilds_;
}

void TokenIndex::rebuild_locked(Database& db, TimePoint now) {
  std::map<std::string, std::string> index;
  for (const std::string& client_id : db.client_ids()) {
    const std::optional<ClientConfig> config = try_load(db, client_id);
    if (!config) continue;
    for (const User& u : config->users) {
      if (!u.token.empty()) index.emplace(keyed_digest(key_, u.token), client_id);
    }
  }
  client_of_ = std::move(index);
  stale_ = false;
  built_at_ = now;
  ++rebuilds_;
}

}  // namespace databus::web
