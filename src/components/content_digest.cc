#include "components/content_digest.h"

#include <sodium.h>

#include "databus/error.h"

namespace databus {

std::string content_digest(std::string_view bytes) {
  if (sodium_init() < 0) throw Error("libsodium cannot be initialised");
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  static const char hex[] = "0123456789abcdef";
  std::string out = "blake2b:";
  for (unsigned char b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace databus
