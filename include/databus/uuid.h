// Random (version 4) UUIDs for internal ids, log GUIDs and backup names.
#pragma once

#include <string>
#include <string_view>

namespace databus {

// Returns a new random UUID in canonical lower-case form
// ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"). Thread-safe.
std::string new_uuid();

// True when `text` is a UUID in canonical form (any version, either case).
// Used to validate ids that become file names.
bool is_uuid(std::string_view text);

}  // namespace databus
