#include "storage/postgresql/pg_sessions.h"

#include "databus/error.h"
#include "storage/postgresql/pg_text.h"
#include "storage/sql/sql_codec.h"

namespace databus {
namespace {

PgParam text(std::string value) { return {std::move(value), false}; }
// A name or message, which may hold any bytes (pg_text.h).
PgParam any_text(std::string_view value) { return {pg_escape_text(value), false}; }
PgParam micros(TimePoint t) { return {std::to_string(sql::to_micros(t)), false}; }
// For "stored < t" with stored times rounded down (sql_codec.h).
PgParam micros_bound(TimePoint t) { return {std::to_string(sql::ceil_micros(t)), false}; }

}  // namespace

void PgSessionStorage::put(const SessionRecord& r) {
  pool_.acquire()->run(
      "INSERT INTO web_sessions (session_key, csrf_token, client_id, username, token_digest, "
      "created, last_seen, flash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {text(r.key), text(r.csrf_token), any_text(r.client_id), any_text(r.username),
       text(r.token_digest), micros(r.created), micros(r.last_seen), any_text(r.flash)});
}

std::optional<SessionRecord> PgSessionStorage::find(const std::string& key) {
  const PgResult row = pool_.acquire()->run(
      "SELECT csrf_token, client_id, username, token_digest, created, last_seen, flash "
      "FROM web_sessions WHERE session_key = $1",
      {text(key)});
  if (row.rows() == 0) return std::nullopt;
  SessionRecord r;
  r.key = key;
  r.csrf_token = row.text(0, 0);
  r.client_id = pg_unescape_text(row.text(0, 1));
  r.username = pg_unescape_text(row.text(0, 2));
  r.token_digest = row.text(0, 3);
  r.created = sql::from_micros(row.integer(0, 4));
  r.last_seen = sql::from_micros(row.integer(0, 5));
  r.flash = pg_unescape_text(row.text(0, 6));
  return r;
}

void PgSessionStorage::touch(const std::string& key, TimePoint when) {
  pool_.acquire()->run(
      "UPDATE web_sessions SET last_seen = $2 WHERE session_key = $1 AND last_seen < $2",
      {text(key), micros(when)});
}

void PgSessionStorage::remove(const std::string& key) {
  pool_.acquire()->run("DELETE FROM web_sessions WHERE session_key = $1", {text(key)});
}

void PgSessionStorage::remove_user(const std::string& client_id, const std::string& username) {
  pool_.acquire()->run("DELETE FROM web_sessions WHERE client_id = $1 AND username = $2",
                       {any_text(client_id), any_text(username)});
}

void PgSessionStorage::set_flash(const std::string& key, const std::string& message) {
  pool_.acquire()->run("UPDATE web_sessions SET flash = $2 WHERE session_key = $1",
                       {text(key), any_text(message)});
}

std::string PgSessionStorage::take_flash(const std::string& key) {
  // The row lock makes a concurrent take wait and then see the message
  // cleared (READ COMMITTED re-checks `flash <> ''` on the new row). Without
  // a message the statement writes nothing, as on most pages.
  const PgResult taken = pool_.acquire()->run(
      "WITH old AS (SELECT session_key, flash FROM web_sessions "
      "WHERE session_key = $1 AND flash <> '' FOR UPDATE) "
      "UPDATE web_sessions s SET flash = '' FROM old WHERE s.session_key = old.session_key "
      "RETURNING old.flash",
      {text(key)});
  return taken.rows() == 0 ? "" : pg_unescape_text(taken.text(0, 0));
}

std::size_t PgSessionStorage::sweep(TimePoint seen_before, TimePoint created_before) {
  const PgResult r =
      pool_.acquire()->run("DELETE FROM web_sessions WHERE last_seen < $1 OR created < $2",
                           {micros_bound(seen_before), micros_bound(created_before)});
  return static_cast<std::size_t>(r.affected());
}

std::string PgSessionStorage::shared_secret(const std::string& fresh) {
  // Inserted by the first node to ask; the others read that one. A node
  // whose insert waited for another's sees no row in its statement's
  // snapshot: it reads again in a new statement.
  PgPool::Lease connection = pool_.acquire();
  const PgResult r = connection->run(
      "WITH added AS (INSERT INTO web_secrets (name, secret) VALUES ('login_form', $1) "
      "ON CONFLICT (name) DO NOTHING RETURNING secret) "
      "SELECT secret FROM added UNION ALL "
      "SELECT secret FROM web_secrets WHERE name = 'login_form'",
      {text(fresh)});
  if (r.rows() > 0) return r.text(0, 0);
  const PgResult again =
      connection->run("SELECT secret FROM web_secrets WHERE name = 'login_form'");
  if (again.rows() == 0) throw StorageError("postgresql: the shared web secret vanished");
  return again.text(0, 0);
}

}  // namespace databus
