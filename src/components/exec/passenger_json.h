// The JSON form of a passenger that the exec connectors exchange with
// commands:
//
//   {"external_id": "A-1", "source_system": "erp",
//    "internal_id": "<uuid>", "passenger_module": "...", "puller_module": "...",
//    "pull_datetime": "2024-05-01T10:00:00.000000",
//    "attachments": [{"name": "a.txt", "format": "text", "content": "hello"},
//                    {"name": "b.png", "format": "binary", "content": "<base64>"},
//                    {"name": "<255 bytes>", "full_name": "<the whole name>", ...}]}
//
// Text content is the UTF-8 string itself, binary content standard base64
// (RFC 4648, with padding). "full_name" is there only for an attachment whose
// name was shortened to fit a file name (Attachment::full_name). Commands
// reading it must ignore unknown keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/passenger.h"

namespace databus {

// Every field of `passenger` in the form above. Invalid UTF-8 in a text
// attachment is replaced by U+FFFD when dumped. A spooled attachment is read
// whole: one of more than kWholeContentLimit bytes throws
// ContentTooLargeError naming the passenger and the attachment
// (attachment_content.h; docs/architecture.md "Large attachments").
nlohmann::json passenger_to_json(const Passenger& passenger);

// The attachments of a passenger JSON object ("attachments" absent: none).
// `name` is required; `format` defaults to "text"; `content` to "";
// `full_name` to "" (taken as it is: callers decide whether to trust it, see
// keep_full_names). Throws std::invalid_argument saying what is wrong (a bad
// format word, bad base64, a wrong type).
std::vector<Attachment> attachments_from_json(const nlohmann::json& object);

// Gives each of the attachments a command `returned` the full name of the
// attachment it was `sent` under the same name, and every other attachment
// none, whatever "full_name" the command wrote: a shortened name is one
// Databus made from the whole name (with a hash of it), so one that comes
// back unchanged still stands for that whole name, with or without the key
// (a command that rebuilds its attachments from name, format and content
// keeps it), while a renamed attachment is named by its new name alone (one
// longer than kMaxAttachmentName is shortened again when added to the
// passenger, which sets its full name). So a full name never belongs to a
// name that was not made from it.
void keep_full_names(std::vector<Attachment>& returned, const std::vector<Attachment>& sent);

std::string base64_encode(std::string_view bytes);
// Throws std::invalid_argument for anything but padded standard base64;
// line breaks are ignored.
std::string base64_decode(std::string_view text);

}  // namespace databus
