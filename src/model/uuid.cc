#include "databus/uuid.h"

#include <array>
#include <cstdint>
#include <random>

namespace databus {

std::string new_uuid() {
  // One generator per thread, seeded from the OS: no lock on the hot path.
  thread_local std::mt19937_64 engine = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  std::array<std::uint8_t, 16> bytes;
  for (int i = 0; i < 16; i += 8) {
    const std::uint64_t r = engine();
    for (int j = 0; j < 8; ++j) bytes[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
  }
  bytes[6] = (bytes[6] & 0x0F) | 0x40;  // Version 4.
  bytes[8] = (bytes[8] & 0x3F) | 0x80;  // RFC 4122 variant.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

namespace {

// 1 for the characters a UUID's digits may be: 0-9, a-f, A-F.
constexpr std::array<std::uint8_t, 256> kHexDigit = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = 1;
  for (int c = 'a'; c <= 'f'; ++c) table[c] = 1;
  for (int c = 'A'; c <= 'F'; ++c) table[c] = 1;
  return table;
}();

}  // namespace

bool is_uuid(std::string_view text) {
  // Called several times per passenger on the hot path (engines check every
  // internal id they are given): a table, no branch per character class.
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return false;
  }
  unsigned digits = 0;
  for (std::size_t i = 0; i < 36; ++i) digits += kHexDigit[static_cast<unsigned char>(text[i])];
  return digits == 32;
}

}  // namespace databus
