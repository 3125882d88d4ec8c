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

std::string cleanse_attachment_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '_' || c == '.';
    out.push_back(keep ? c : '_');
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
