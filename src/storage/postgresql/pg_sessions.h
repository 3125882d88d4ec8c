// The PostgreSQL engine's SessionStorage (include/databus/session_storage.h):
// browser sessions in the table `web_sessions` and the shared secret in
// `web_secrets` of the engine's schema, so that every node on the schema
// knows every session (docs/storage-engines.md "Web sessions").
//
// Each method is one statement (one round trip) on a pooled connection,
// atomic by itself; take_flash() locks the row it clears, so that of two
// concurrent takes one gets the message. Names and messages may hold any
// bytes (pg_text.h).
//
// Thread-safety: as SessionStorage.
#pragma once

#include "databus/session_storage.h"
#include "storage/postgresql/pg_connection.h"

namespace databus {

class PgSessionStorage : public SessionStorage {
 public:
  // Uses `pool`, which must outlive the storage. REQUIRES: the schema is
  // migrated (migrate_pg_schema()).
  explicit PgSessionStorage(PgPool& pool) : pool_(pool) {}

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
  PgPool& pool_;
};

}  // namespace databus
