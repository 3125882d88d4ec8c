#include "web/credentials.h"

#include <sodium.h>

#include <array>
#include <mutex>

#include "databus/error.h"

namespace databus::web {
namespace {

using Digest = std::array<unsigned char, crypto_generichash_BYTES>;

Digest digest(std::string_view text) {
  Digest out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  return out;
}

}  // namespace

void init_crypto() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  if (!ok) throw Error("libsodium failed to initialise");
}

std::string hash_password(std::string_view password) {
  init_crypto();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error("cannot hash the password: out of memory");
  }
  return out;
}

bool is_password_hash(std::string_view stored) {
  return stored.starts_with("$argon2id$") || stored.starts_with("$argon2i$");
}

bool verify_password(std::string_view stored, std::string_view password) {
  init_crypto();
  if (stored.empty()) return false;
  if (is_password_hash(stored)) {
    const std::string hash(stored);  // NUL-terminated for libsodium.
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  }
  return secrets_equal(stored, password);
}

bool is_default_password(std::string_view stored, std::string_view username) {
  if (stored.empty() || is_password_hash(stored)) return false;
  return stored == "root" || stored == "demo" || stored == username;
}

bool secrets_equal(std::string_view a, std::string_view b) {
  init_crypto();
  // Comparing fixed-size digests keeps the comparison constant-time even
  // when the lengths differ.
  const Digest da = digest(a);
  const Digest db = digest(b);
  return sodium_memcmp(da.data(), db.data(), da.size()) == 0 && a.size() == b.size();
}

std::string random_hex(std::size_t bytes) {
  init_crypto();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

std::string keyed_digest(std::string_view key, std::string_view message) {
  init_crypto();
  if (key.size() < crypto_generichash_KEYBYTES_MIN ||
      key.size() > crypto_generichash_KEYBYTES_MAX) {
    throw Error("keyed_digest: the key must have 16 to 64 bytes");
  }
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), reinterpret_cast<const unsigned char*>(key.data()),
                     key.size());
  std::string hex(sizeof digest * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();
  return hex;
}

std::string sha256_hex(std::string_view message) {
  init_crypto();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size());
  std::string hex(sizeof digest * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();
  return hex;
}

}  // namespace databus::web
