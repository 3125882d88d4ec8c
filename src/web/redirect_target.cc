#include "web/redirect_target.h"

namespace databus::web {
namespace {

constexpr std::size_t kMaxTarget = 4096;
constexpr int kDecodeRounds = 4;

// The rules of one layer (see the header), before any decoding.
bool plain_same_site_path(std::string_view p) {
  if (p.empty() || p[0] != '/') return false;
  if (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) return false;
  for (unsigned char c : p) {
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `p`; false for a '%' without two hex digits after it.
bool percent_decode(std::string_view p, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '%') {
      out += p[i];
      continue;
    }
    const int high = i + 1 < p.size() ? hex_value(p[i + 1]) : -1;
    const int low = i + 2 < p.size() ? hex_value(p[i + 2]) : -1;
    if (high < 0 || low < 0) return false;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

}  // namespace

std::string same_site_target(std::string_view next) {
  if (next.size() > kMaxTarget) return "/";
  // Spaces and bytes of 0x80 and above are encoded first: they cannot
  // change where the path leads, and a Location header is ASCII without
  // spaces.
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string target;
  for (unsigned char c : next) {
    if (c >= 0x80 || c == ' ') {
      target += '%';
      target += kHex[c >> 4];
      target += kHex[c & 15];
    } else {
      target += static_cast<char>(c);
    }
  }
  std::string layer = target;
  std::string decoded;
  for (int round = 0;; ++round) {
    if (!plain_same_site_path(layer)) return "/";
    if (!percent_decode(layer, decoded)) return "/";
    if (decoded == layer) return target;
    if (round == kDecodeRounds) return "/";  // Encoded deeper than any real link.
    layer.swap(decoded);
  }
}

}  // namespace databus::web
