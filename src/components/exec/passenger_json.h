// The JSON form of a passenger that the exec connectors exchange with
// commands:
//
//   {"external_id": "A-1", "source_system": "erp",
//    "internal_id": "<uuid>", "passenger_module": "...", "puller_module": "...",
//    "pull_datetime": "2024-05-01T10:00:00.000000",
//    "attachments": [{"name": "a.txt", "format": "text", "content": "hello"},
//                    {"name": "b.png", "format": "binary", "content": "<base64>"}]}
//
// Text content is the UTF-8 string itself, binary content standard base64
// (RFC 4648, with padding). Commands reading it must ignore unknown keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/passenger.h"

namespace databus {

// Every field of `passenger` in the form above. Invalid UTF-8 in a text
// attachment is replaced by U+FFFD when dumped.
nlohmann::json passenger_to_json(const Passenger& passenger);

// The attachments of a passenger JSON object ("attachments" absent: none).
// `name` is required; `format` defaults to "text"; `content` to "". Throws
// std::invalid_argument saying what is wrong (a bad format word, bad base64,
// a wrong type).
std::vector<Attachment> attachments_from_json(const nlohmann::json& object);

std::string base64_encode(std::string_view bytes);
// Throws std::invalid_argument for anything but padded standard base64;
// line breaks are ignored.
std::string base64_decode(std::string_view text);

}  // namespace databus
