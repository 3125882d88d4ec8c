// Validation of the ids that engines turn into file names (or keys), so that
// no argument can reach outside the data directory. Every engine applies the
// same rules so that they behave alike.
#pragma once

#include <string>
#include <string_view>

namespace databus {

// Client ids and customizing node names: [A-Za-z0-9_.-]+, not "." or "..".
// Throws ConfigError(<what>, <what>, message naming the value) otherwise;
// `what` is e.g. "client id".
void check_file_name_id(std::string_view what, const std::string& value);
inline void check_client_id(const std::string& id) { check_file_name_id("client id", id); }

// The passenger module and the name of a client passenger state document
// (Database::read_passenger_state()): file-name ids, the name at most 100
// bytes. Throws ConfigError naming the value otherwise.
void check_passenger_state_key(const std::string& passenger_module, const std::string& name);

// Internal ids and log GUIDs: canonical UUIDs (is_uuid). Throws ConfigError.
void check_uuid(std::string_view what, const std::string& value);

// A backup id as restore_backup() accepts it: "<uuid>-<node>", `node` a
// valid node name. Throws ConfigError naming the id otherwise.
void check_backup_id(const std::string& backup_id, const std::string& node);

// True when an attachment name is usable as a file name: non-empty, not "."
// or "..", no '/', no NUL and no other ASCII control character, at most
// kMaxAttachmentName (255) bytes. Spaces and non-ASCII letters are fine (the
// original stored such names). Names Passenger::add_attachment stored (and
// their " (2)" variants) always are safe.
bool is_safe_attachment_name(std::string_view name);

}  // namespace databus
