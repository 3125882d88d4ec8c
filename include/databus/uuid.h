// Time-ordered (version 7) UUIDs for internal ids, log GUIDs and backup names.
#pragma once

#include <string>
#include <string_view>

namespace databus {

// Returns a new UUID in canonical lower-case form, version 7 (RFC 9562:
// "tttttttt-tttt-7ccc-yxxx-xxxxxxxxxxxx", Unix milliseconds first, then a
// counter, then 62 random bits), so that ids made later sort later: ids
// made by one thread strictly increase. Not a secret: do not use it for
// tokens. Thread-safe.
std::string new_uuid();

// True when `text` is a UUID in canonical form (any version, either case).
// Used to validate ids that become file names.
bool is_uuid(std::string_view text);

}  // namespace databus
