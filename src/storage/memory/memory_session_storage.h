// The in-memory SessionStorage: what the web server uses when the engine
// offers none (Database::session_storage() is null: JSON DB, SQLite,
// memory), and the reference the session storage conformance suite holds
// every storage to. Nothing survives the object, so a restart ends every
// session, as before there were shared storages.
//
// Thread-safety: as SessionStorage (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "databus/session_storage.h"

namespace databus {

class MemorySessionStorage : public SessionStorage {
 public:
  void put(const SessionRecord& record) override;
  std::optional<SessionRecord> find(const std::string& key) override;
  void touch(const std::string& key, TimePoint when) override;
  void remove(const std::string& key) override;
  void remove_user(const std::string& client_id, const std::string& username) override;
  void set_flash(const std::string& key, const std::string& message) override;
  std::string take_flash(const std::string& key) override;
  std::size_t sweep(TimePoint seen_before, TimePoint created_before) override;
  std::string shared_secret(const std::string& fresh) override;

 private:
  std::mutex mutex_;
  std::map<std::string, SessionRecord> records_;  // By key. Guarded by mutex_.
  std::string secret_;                            // Guarded by mutex_.
};

}  // namespace databus
