// Attachment: a named piece of text or binary content carried by a passenger.
#pragma once

#include <string>
#include <string_view>

namespace databus {

enum class AttachmentFormat { text, binary };

// "text" | "binary".
std::string_view to_string(AttachmentFormat format);
// Throws std::invalid_argument for any other word.
AttachmentFormat parse_attachment_format(std::string_view word);

// Returns `name` with every byte outside [0-9A-Za-z_.] replaced by '_'
// (so '/', NUL and each byte of a non-ASCII character become '_'). A result
// that is empty, "." or ".." (which would name a directory) becomes "_",
// "_." or "_.." respectively, so a cleansed name is always a safe file name.
std::string cleanse_attachment_name(std::string_view name);

// A value type; copying copies the content.
struct Attachment {
  std::string name;  // Cleansed and unique once added to a passenger.
  AttachmentFormat format = AttachmentFormat::text;
  std::string content;  // Text as UTF-8; binary as raw bytes.

  bool operator==(const Attachment&) const = default;
};

}  // namespace databus
