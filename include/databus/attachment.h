// Attachment: a named piece of text or binary content carried by a passenger.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace databus {

class SpooledFile;  // databus/attachment_content.h

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

// The longest attachment name in bytes: what one directory entry holds
// (NAME_MAX), since engines and pushers write attachments as files.
inline constexpr std::size_t kMaxAttachmentName = 255;

// Returns `name` (cleansed) when it has at most kMaxAttachmentName bytes;
// otherwise a name of exactly that length made of its first bytes, '_', 16
// hex digits of a hash of the whole name, and its extension (the part from
// the last '.', when that is at most 32 bytes). The result is cleansed
// again; the same long name always gives the same short name, and two long
// names sharing their first 200 bytes give different ones.
std::string shorten_attachment_name(const std::string& name);

// A value type; copying copies the content (a spooled one's file is
// immutable and shared).
struct Attachment {
  std::string name;  // Cleansed and unique once added to a passenger.
  AttachmentFormat format = AttachmentFormat::text;
  std::string content;  // Text as UTF-8; binary as raw bytes. Empty when spooled.
  // The cleansed name as it was given, when it was longer than
  // kMaxAttachmentName and `name` is the shortened form; empty otherwise.
  // Every engine stores it as it is (the JSON DB in passenger.json as
  // "full_name", the SQL engines in a column of that name); an entry stored
  // before an engine kept it reads with it empty.
  std::string full_name;
  // Set for a large attachment: the file holding its content, which is then
  // not in `content` (docs/architecture.md "Large attachments"). Read either
  // kind with ContentReader (databus/attachment_content.h).
  std::shared_ptr<const SpooledFile> spool;

  // Equal names, formats, full names and contents; a spooled content equals
  // another spooled one of the same size and SHA-256.
  bool operator==(const Attachment& other) const;
};

}  // namespace databus
