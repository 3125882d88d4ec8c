// Text as the SQL engines store it: PostgreSQL's text columns take only
// valid UTF-8 without NUL bytes, and the engines' small JSON columns (log
// entries) are written by hand here rather than through a JSON library, for
// speed on the drive's hot path.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace databus::sql {

// The offset of the first byte of `text` that is a NUL or not part of a
// valid UTF-8 sequence; std::string_view::npos when there is none.
std::size_t first_unstorable_byte(std::string_view text);

// Appends `text` with every NUL byte and every byte outside a valid UTF-8
// sequence replaced by U+FFFD (what a lossy field such as an error message
// becomes in an engine that cannot hold it).
void append_storable(std::string& out, std::string_view text);

// Appends `text` as a JSON string literal, quotes included: control
// characters escaped, invalid UTF-8 bytes replaced by U+FFFD (as
// nlohmann::json's error_handler_t::replace does).
void append_json_string(std::string& out, std::string_view text);

}  // namespace databus::sql
