// A PNG built from first principles, so the demo carries no binary file.
#include <array>
#include <cstdint>

#include "components/demo/demo_components.h"

namespace databus {
namespace {

std::uint32_t crc32(const std::string& bytes) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::uint32_t adler32(const std::string& bytes) {
  std::uint32_t a = 1, b = 0;
  for (unsigned char byte : bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

// length, type, data, CRC of type + data.
void put_chunk(std::string& out, const std::string& type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  out += type;
  out += data;
  put_u32(out, crc32(type + data));
}

}  // namespace

std::string demo_png() {
  constexpr int kSize = 8;
  // Raw scanlines: filter byte 0, then RGB pixels of a colour gradient.
  std::string raw;
  for (int y = 0; y < kSize; ++y) {
    raw.push_back(0);
    for (int x = 0; x < kSize; ++x) {
      raw.push_back(static_cast<char>(x * 32));
      raw.push_back(static_cast<char>(y * 32));
      raw.push_back(static_cast<char>(160));
    }
  }
  // zlib stream with one final stored (uncompressed) deflate block.
  std::string zlib = {static_cast<char>(0x78), static_cast<char>(0x01), static_cast<char>(0x01)};
  const auto len = static_cast<std::uint16_t>(raw.size());
  const auto nlen = static_cast<std::uint16_t>(~len);
  zlib.push_back(static_cast<char>(len & 0xFF));
  zlib.push_back(static_cast<char>(len >> 8));
  zlib.push_back(static_cast<char>(nlen & 0xFF));
  zlib.push_back(static_cast<char>(nlen >> 8));
  zlib += raw;
  put_u32(zlib, adler32(raw));

  std::string header;
  put_u32(header, kSize);     // width
  put_u32(header, kSize);     // height
  header += {8, 2, 0, 0, 0};  // 8-bit depth, RGB, deflate, adaptive filter, no interlace

  std::string png = "\x89PNG\r\n\x1a\n";
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", zlib);
  put_chunk(png, "IEND", "");
  return png;
}

}  // namespace databus
