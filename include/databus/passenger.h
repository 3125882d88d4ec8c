// Passenger: one unit of transported data (an e-mail, an order, a file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "databus/attachment.h"
#include "databus/time.h"

namespace databus {

// A value type: pullers build passengers, the queue stores them, processors
// and pushers read and change them. Not thread-safe; copy to share.
struct Passenger {
  std::string external_id;       // Id given by the source system.
  std::string internal_id;       // UUID given by Databus when pulled.
  std::string source_system;     // Name of the source system.
  std::string passenger_module;  // Passenger type, e.g. "databus.passenger.email".
  std::string puller_module;     // Puller that produced it.
  TimePoint pull_datetime{};
  std::vector<Attachment> attachments;  // Names cleansed and unique.
  // The logs of the drives that touched it, oldest first, no duplicates: the
  // last kMaxLogGuids of them. A passenger retried at every drive for months
  // would otherwise carry (and rewrite) thousands of ids; logs older than the
  // client's log_life_span are deleted anyway.
  std::vector<std::string> log_guids;
  // How many older log GUIDs were dropped from log_guids to keep it short.
  std::uint64_t log_guids_dropped = 0;

  static constexpr std::size_t kMaxLogGuids = 20;

  // Adds an attachment after cleansing its name (cleanse_attachment_name),
  // shortening a cleansed name longer than kMaxAttachmentName bytes
  // (shorten_attachment_name; the cleansed name is kept in full_name) and
  // making it unique among this passenger's attachments: a taken name
  // "stem.ext" becomes "stem (2).ext", then "stem (3).ext", ..., the stem
  // cut so that the name never exceeds kMaxAttachmentName bytes.
  // Returns the name it was stored under.
  std::string add_attachment(Attachment attachment);
  std::string add_attachment(std::string_view name, AttachmentFormat format, std::string content);

  // Returns the attachment named `name`, or nullptr.
  const Attachment* find_attachment(std::string_view name) const;

  // Records that the log `guid` touched this passenger; no duplicates. Keeps
  // the last kMaxLogGuids, counting the ones it drops in log_guids_dropped
  // (also those of a list loaded longer, as older files may hold).
  void add_log_guid(const std::string& guid);

  // "SOURCE - EXTERNAL_ID (INTERNAL_ID)", the form used in log messages.
  std::string describe() const;

  bool operator==(const Passenger&) const = default;
};

// Returns `name` made unique against `taken` as Passenger::add_attachment does.
// `name` must already be cleansed.
std::string unique_attachment_name(const std::string& name, const std::vector<Attachment>& taken);

}  // namespace databus
