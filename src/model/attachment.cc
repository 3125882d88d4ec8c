#include "databus/attachment.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace databus {

std::string_view to_string(AttachmentFormat format) {
  return format == AttachmentFormat::binary ? "binary" : "text";
}

AttachmentFormat parse_attachment_format(std::string_view word) {
  if (word == "text") return AttachmentFormat::text;
  if (word == "binary") return AttachmentFormat::binary;
  throw std::invalid_argument("attachment format must be 'text' or 'binary', not '" +
                              std::string(word) + "'");
}

namespace {

// Length of the well-formed UTF-8 sequence starting at `at`, or 0 when the
// bytes there are not one (stray continuation byte, truncated, overlong,
// surrogate, beyond U+10FFFF). Sets `code` to the code point.
std::size_t utf8_sequence(std::string_view text, std::size_t at, char32_t& code) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) {
    code = lead;
    return 1;
  }
  std::size_t length = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code = lead & 0x1F;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code = lead & 0x0F;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code = lead & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// C0 controls, DEL and C1 controls: invisible, and a line break in a file
// name breaks every listing and log line that shows it.
bool is_control(char32_t code) { return code < 0x20 || (code >= 0x7F && code <= 0x9F); }

}  // namespace

std::string cleanse_attachment_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t at = 0; at < name.size();) {
    char32_t code = 0;
    const std::size_t length = utf8_sequence(name, at, code);
    if (length == 0) {  // Each byte of a malformed sequence.
      out.push_back('_');
      ++at;
      continue;
    }
    if (code == '/' || is_control(code)) {
      out.push_back('_');
    } else {
      out.append(name.substr(at, length));
    }
    at += length;
  }
  // Names that would denote a directory are never valid file names.
  if (out.empty() || out == "." || out == "..") out.insert(out.begin(), '_');
  return out;
}

std::string shorten_attachment_name(const std::string& name) {
  if (name.size() <= kMaxAttachmentName) return name;
  // FNV-1a: stable across builds and machines, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  char tag[18];
  std::snprintf(tag, sizeof tag, "_%016llx", static_cast<unsigned long long>(hash));
  constexpr std::size_t kMaxExtension = 32;
  const std::size_t dot = name.rfind('.');
  const bool has_ext = dot != std::string::npos && dot > 0 && name.size() - dot <= kMaxExtension;
  const std::string ext = has_ext ? name.substr(dot) : "";
  const std::size_t keep = kMaxAttachmentName - ext.size() - (sizeof tag - 1);
  return name.substr(0, keep) + tag + ext;
}

}  // namespace databus
