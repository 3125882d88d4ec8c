#include "storage/postgresql/pg_text.h"

#include "storage/sql/text_codec.h"

namespace databus {
namespace {

constexpr std::string_view kMark = "\xEE\x80\x80";  // U+E000

void append_hex(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string pg_escape_text(std::string_view value) {
  if (sql::first_unstorable_byte(value) == std::string_view::npos && !value.starts_with(kMark)) {
    return std::string(value);
  }
  std::string out(kMark);
  while (!value.empty()) {
    const std::size_t bad = sql::first_unstorable_byte(value);
    const std::string_view good = value.substr(0, bad);  // npos: all of it.
    for (char c : good) {
      if (c == '%') {
        append_hex(out, static_cast<unsigned char>(c));
      } else {
        out += c;
      }
    }
    if (bad == std::string_view::npos) break;
    append_hex(out, static_cast<unsigned char>(value[bad]));
    value.remove_prefix(bad + 1);
  }
  return out;
}

std::string pg_unescape_text(std::string_view stored) {
  if (!stored.starts_with(kMark)) return std::string(stored);
  stored.remove_prefix(kMark.size());
  std::string out;
  out.reserve(stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (stored[i] == '%' && i + 2 < stored.size() && hex_value(stored[i + 1]) >= 0 &&
        hex_value(stored[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(stored[i + 1]) * 16 + hex_value(stored[i + 2]));
      i += 2;
    } else {
      out += stored[i];
    }
  }
  return out;
}

std::string pg_text_array(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (std::string_view v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace databus
