#include "databus/attachment.h"

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

}  // namespace databus
