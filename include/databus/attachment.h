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

// Returns `name` made safe as a file name, changing only what is unsafe:
// '/', NUL and every other control character (U+0000-U+001F, U+007F-U+009F)
// become '_', and so does each byte of a malformed UTF-8 sequence (names are
// stored as UTF-8 text). Spaces, punctuation and letters of any script are
// kept: "a b.txt" and "\u00fc.txt" keep their names. A result that is empty, "." or ".." (which
// would name a directory) becomes "_", "_." or "_.." respectively. Length is not changed here.
std::string cleanse_attachment_name(std::string_view name);

// A value type; copying copies the content.
struct Attachment {
  std::string name;  // Cleansed and unique once added to a passenger.
  AttachmentFormat format = AttachmentFormat::text;
  std::string content;  // Text as UTF-8; binary as raw bytes.

  bool operator==(const Attachment&) const = default;
};

}  // namespace databus
