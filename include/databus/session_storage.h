// SessionStorage: where the web server keeps its browser sessions
// (docs/security.md "Sessions", docs/architecture.md "Layers"). The web
// server keeps the rules (ids, expiry, how often last_seen is written); a
// storage only stores and queries records.
//
// An engine that several Databus processes (nodes) share offers one through
// Database::session_storage(), so that a session made on one node is known to
// every other and a load balancer needs no stickiness. For engines that one
// process owns, the web server keeps sessions in a memory storage of its own.
//
// Secrets: a record holds no secret that lets its reader use the session or
// a user's token: the session id and the token at login are kept as SHA-256
// digests only. The CSRF token is kept as it is (pages must show it); without
// the session cookie it is of no use.
//
// Times are microseconds of the nodes' clocks (docs/security.md "Sessions"
// says why not the database's).
//
// Errors: every method throws StorageError when the store cannot be reached.
//
// Thread-safety: every method may be called from any thread, and from any
// node at once; each call is atomic.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "databus/time.h"

namespace databus {

struct SessionRecord {
  std::string key;  // SHA-256 of the session id, hex. The id itself is never stored.
  std::string csrf_token;
  std::string client_id;
  std::string username;      // Empty for an anonymous session.
  std::string token_digest;  // SHA-256 of the user's bearer token at login, hex.
  TimePoint created{};
  TimePoint last_seen{};
  std::string flash;  // A message shown once on the next page; "" for none.
};

class SessionStorage {
 public:
  virtual ~SessionStorage() = default;

  // Stores a new record. REQUIRES: record.key is not stored.
  virtual void put(const SessionRecord& record) = 0;
  // The record stored under `key`, or nullopt. Times come back to the
  // microsecond.
  virtual std::optional<SessionRecord> find(const std::string& key) = 0;
  // Sets last_seen to `when` unless it is later already (two nodes may
  // touch at once). Does nothing for an unknown key.
  virtual void touch(const std::string& key, TimePoint when) = 0;
  // Removes the record; does nothing for an unknown key.
  virtual void remove(const std::string& key) = 0;
  // Removes every record of the user (empty username: every anonymous one
  // of the client).
  virtual void remove_user(const std::string& client_id, const std::string& username) = 0;

  // Replaces the flash message; does nothing for an unknown key.
  virtual void set_flash(const std::string& key, const std::string& message) = 0;
  // The flash message, cleared in the same step: of two concurrent calls,
  // one gets it. "" when there is none or the key is unknown.
  virtual std::string take_flash(const std::string& key) = 0;

  // Removes the records last seen before `seen_before` or created before
  // `created_before`. Returns how many.
  virtual std::size_t sweep(TimePoint seen_before, TimePoint created_before) = 0;

  // The storage's shared secret: the first `fresh` value ever given (stored
  // then), the same for every node and every later call. The web server
  // signs its login forms with it, so that a form served by one node may be
  // posted to another. REQUIRES: fresh is a random secret.
  virtual std::string shared_secret(const std::string& fresh) = 0;
};

}  // namespace databus
