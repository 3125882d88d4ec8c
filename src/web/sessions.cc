#include "web/sessions.h"

#include "storage/memory/memory_session_storage.h"
#include "web/credentials.h"

namespace databus::web {
namespace {

std::unique_ptr<SessionStorage> own_storage_unless(const SessionStorage* shared) {
  if (shared != nullptr) return nullptr;
  return std::make_unique<MemorySessionStorage>();
}

Session session_of(const std::string& id, const SessionRecord& r) {
  return Session{id, r.csrf_token, r.client_id, r.username, r.token_digest, r.created, r.last_seen};
}

}  // namespace

SessionStore::SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute,
                           SessionStorage* shared)
    : idle_(idle),
      absolute_(absolute),
      own_(own_storage_unless(shared)),
      storage_(shared != nullptr ? *shared : *own_) {}

bool SessionStore::expired(const SessionRecord& r, TimePoint now) const {
  return now - r.last_seen > idle_ || now - r.created > absolute_;
}

Session SessionStore::create(const std::string& client_id, const std::string& username,
                             const std::string& token_at_login, TimePoint now) {
  bool sweep = false;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (now - last_sweep_ >= kSweepInterval) {
      last_sweep_ = now;
      sweep = true;
    }
  }
  // Drop expired sessions now and then, so abandoned ones do not pile up.
  if (sweep) storage_.sweep(now - idle_, now - absolute_);

  const std::string id = random_hex(32);
  SessionRecord r;
  r.key = sha256_hex(id);
  r.csrf_token = random_hex(32);
  r.client_id = client_id;
  r.username = username;
  r.token_digest = sha256_hex(token_at_login);
  r.created = now;
  r.last_seen = now;
  storage_.put(r);
  return session_of(id, r);
}

std::optional<Session> SessionStore::find(const std::string& id, TimePoint now) {
  if (id.empty()) return std::nullopt;
  const std::string key = sha256_hex(id);
  std::optional<SessionRecord> r = storage_.find(key);
  if (!r) return std::nullopt;
  if (expired(*r, now)) {
    storage_.remove(key);
    return std::nullopt;
  }
  if (now - r->last_seen >= kTouchInterval) {
    storage_.touch(key, now);
    r->last_seen = now;
  }
  return session_of(id, *r);
}

void SessionStore::remove(const std::string& id) { storage_.remove(sha256_hex(id)); }

void SessionStore::remove_user(const std::string& client_id, const std::string& username) {
  storage_.remove_user(client_id, username);
}

void SessionStore::set_flash(const std::string& id, const std::string& message) {
  storage_.set_flash(sha256_hex(id), message);
}

std::string SessionStore::take_flash(const std::string& id) {
  return storage_.take_flash(sha256_hex(id));
}

std::string SessionStore::shared_secret() { return storage_.shared_secret(random_hex(32)); }

}  // namespace databus::web
