// How the PostgreSQL engine keeps arbitrary bytes in text columns. A
// PostgreSQL text value must be valid UTF-8 without NUL bytes, while a
// passenger's external id, source system, module names and attachment names
// may hold any bytes (every other engine keeps them). Such a value is stored
// escaped: the mark U+E000 (a private-use character), then the value with
// '%', NUL and every byte outside a valid UTF-8 sequence written as %XX. A
// value that needs no escape is stored as it is, so queries, indexes and
// dedup work on the plain text; a plain value that itself begins with the
// mark is escaped too, so that reading back is exact.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace databus {

// What to store for `value`.
std::string pg_escape_text(std::string_view value);
// The value pg_escape_text() was given.
std::string pg_unescape_text(std::string_view stored);

// A text[] literal of `values`: every element double-quoted, '"' and '\\'
// escaped (the values are taken as they are, not escaped as above).
std::string pg_text_array(const std::vector<std::string_view>& values);

}  // namespace databus
