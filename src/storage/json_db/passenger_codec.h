// passenger.json <-> QueueEntry (docs/configuration.md). The file holds everything of a
// queue entry except the attachment contents, which live in the entry's
// attachments/ folder. Files written by the original Python Databus decode
// unchanged; files we write decode in the original as well (our extra keys
// `attempts` and `last_error` of a step, `full_name` of an attachment whose
// name was shortened, and `log_guids_dropped`, are written only when set).
#pragma once

#include <string>
#include <string_view>

#include "databus/queue_entry.h"

namespace databus {

// The passenger.json text of `entry`: one line, keys in the original's order.
// Attachment contents are not included.
std::string encode_passenger_json(const QueueEntry& entry);

// Parses passenger.json text. Attachments get their name and format with an
// empty content. Throws CorruptDataError(path, message naming the field) when
// the text is not JSON, a field is missing or has the wrong type or value, or
// an attachment name is not a safe file name.
QueueEntry decode_passenger_json(std::string_view text, const std::string& path);

}  // namespace databus
