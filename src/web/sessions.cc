#include "web/sessions.h"

#include <iterator>
#include <utility>

#include "web/credentials.h"

namespace databus::web {

SessionStore::SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute)
    : idle_(idle), absolute_(absolute) {}

bool SessionStore::expired(const Session& s, TimePoint now) const {
  return now - s.last_seen > idle_ || now - s.created > absolute_;
}

Session SessionStore::create(const std::string& client_id, const std::string& username,
                             const std::string& token_at_login, TimePoint now) {
  Session s;
  s.id = random_hex(32);
  s.csrf_token = random_hex(32);
  s.client_id = client_id;
  s.username = username;
  s.token_at_login = token_at_login;
  s.created = now;
  s.last_seen = now;
  std::lock_guard<std::mutex> guard(mutex_);
  // Drop expired sessions now and then, so abandoned ones do not pile up.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = expired(it->second, now) ? sessions_.erase(it) : std::next(it);
  }
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> SessionStore::find(const std::string& id, TimePoint now) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

void SessionStore::remove(const std::string& id) {
  std::lock_guard<std::mutex> guard(mutex_);
  sessions_.erase(id);
}

void SessionStore::remove_user(const std::string& client_id, const std::string& username) {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const bool match = it->second.client_id == client_id && it->second.username == username;
    it = match ? sessions_.erase(it) : std::next(it);
  }
}

void SessionStore::set_flash(const std::string& id, std::string message) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) it->second.flash = std::move(message);
}

std::string SessionStore::take_flash(const std::string& id) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return "";
  return std::exchange(it->second.flash, "");
}

std::size_t SessionStore::size() {
  std::lock_guard<std::mutex> guard(mutex_);
  return sessions_.size();
}

}  // namespace databus::web
