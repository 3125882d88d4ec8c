// Passwords, tokens and random secrets (libsodium).
//
// Stored passwords are either plaintext (the original Databus's format, still
// accepted) or an Argon2id hash string "$argon2id$..." written by
// hash_password(). Every password set or changed is hashed.
//
// Thread-safety: all functions may be called from any thread.
#pragma once

#include <string>
#include <string_view>

namespace databus::web {

// Initialises libsodium once; every function below calls it. Throws Error
// when libsodium cannot initialise (no entropy source).
void init_crypto();

// An Argon2id hash string of `password` (crypto_pwhash_str, interactive
// limits). Throws Error when out of memory.
std::string hash_password(std::string_view password);

// True when `stored` is an Argon2id/Argon2i hash string.
bool is_password_hash(std::string_view stored);

// True when `password` matches `stored` (a hash string, or plaintext compared
// in constant time). An empty `stored` never matches.
bool verify_password(std::string_view stored, std::string_view password);

// True when `password` (as stored) is a default one that everybody knows:
// plaintext `root`, `demo` or `username` itself (what first starts of Databus
// and of the original wrote). A hash is never a default: setting a password
// hashes it and needs 8 characters.
bool is_default_password(std::string_view stored, std::string_view username);

// Constant-time equality of two secrets of any lengths (the lengths may leak,
// the content does not).
bool secrets_equal(std::string_view a, std::string_view b);

// `bytes` random bytes as lower-case hex (session ids, CSRF and user tokens).
std::string random_hex(std::size_t bytes);

// A keyed BLAKE2b digest (32 bytes, hex) of `message` under `key` (16 to 64
// bytes): who does not know the key cannot compute it.
std::string keyed_digest(std::string_view key, std::string_view message);

// The SHA-256 digest of `message`, lower-case hex (64 digits): what is kept
// of a secret that is looked up but must not be readable where it is stored
// (session ids, tokens at login; docs/security.md "Sessions").
std::string sha256_hex(std::string_view message);

}  // namespace databus::web
