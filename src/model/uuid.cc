#include "databus/uuid.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <random>

namespace databus {

std::string new_uuid() {
  // Version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then 12
  // bits that count up within a millisecond (from a random start, per
  // thread), then 62 random bits. Time-ordered ids keep the indexes on them
  // (internal ids, log GUIDs) growing at one end: a new entry's key lands
  // in the pages written last instead of a random page of a large queue.
  // One generator per thread, seeded from the OS: no lock on the hot path.
  thread_local std::mt19937_64 engine = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  thread_local std::uint64_t last_ms = 0;
  thread_local std::uint32_t counter = 0;
  const auto now_ms =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  if (now_ms > last_ms) {
    last_ms = now_ms;
    counter = static_cast<std::uint32_t>(engine() & 0x3FF);  // Room to count up.
  } else if (++counter > 0xFFF) {
    ++last_ms;  // More than the counter holds in one millisecond: borrow the next.
    counter = 0;
  }
  const std::uint64_t random = engine();
  std::array<std::uint8_t, 16> bytes;
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<std::uint8_t>(last_ms >> (8 * (5 - i)));
  bytes[6] = static_cast<std::uint8_t>(0x70 | (counter >> 8));  // Version 7.
  bytes[7] = static_cast<std::uint8_t>(counter & 0xFF);
  for (int i = 8; i < 16; ++i) bytes[i] = static_cast<std::uint8_t>(random >> (8 * (i - 8)));
  bytes[8] = (bytes[8] & 0x3F) | 0x80;  // RFC 9562 variant.
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
