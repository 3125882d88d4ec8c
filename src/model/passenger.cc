#include "databus/passenger.h"

#include <algorithm>

namespace databus {
namespace {

bool taken_by(const std::vector<Attachment>& taken, std::string_view name) {
  return std::any_of(taken.begin(), taken.end(),
                     [&](const Attachment& a) { return a.name == name; });
}

}  // namespace

std::string unique_attachment_name(const std::string& name, const std::vector<Attachment>& taken) {
  if (!taken_by(taken, name)) return name;
  // "stem.ext" -> "stem (2).ext"; a leading dot (".profile") is part of the stem.
  const std::size_t dot = name.rfind('.');
  const bool has_ext = dot != std::string::npos && dot > 0;
  const std::string stem = has_ext ? name.substr(0, dot) : name;
  const std::string ext = has_ext ? name.substr(dot) : "";
  for (int n = 2;; ++n) {
    const std::string number = " (" + std::to_string(n) + ")";
    // The stem gives way so that the name stays within kMaxAttachmentName
    // (an extension too long to keep goes first).
    std::string candidate;
    if (number.size() + ext.size() < kMaxAttachmentName) {
      const std::size_t room = kMaxAttachmentName - number.size() - ext.size();
      candidate = stem.substr(0, room) + number + ext;
    } else {
      candidate = name.substr(0, kMaxAttachmentName - number.size()) + number;
    }
    if (!taken_by(taken, candidate)) return candidate;
  }
}

std::string Passenger::add_attachment(Attachment attachment) {
  std::string cleansed = cleanse_attachment_name(attachment.name);
  if (cleansed.size() > kMaxAttachmentName) {
    attachment.full_name = cleansed;
    cleansed = shorten_attachment_name(cleansed);
  }
  attachment.name = unique_attachment_name(cleansed, attachments);
  attachments.push_back(std::move(attachment));
  return attachments.back().name;
}

std::string Passenger::add_attachment(std::string_view name, AttachmentFormat format,
                                      std::string content) {
  return add_attachment(Attachment{std::string(name), format, std::move(content)});
}

const Attachment* Passenger::find_attachment(std::string_view name) const {
  for (const Attachment& a : attachments) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void Passenger::add_log_guid(const std::string& guid) {
  if (std::find(log_guids.begin(), log_guids.end(), guid) == log_guids.end()) {
    log_guids.push_back(guid);
  }
  if (log_guids.size() > kMaxLogGuids) {
    const std::size_t drop = log_guids.size() - kMaxLogGuids;
    log_guids.erase(log_guids.begin(), log_guids.begin() + static_cast<std::ptrdiff_t>(drop));
    log_guids_dropped += drop;
  }
}

std::string Passenger::describe() const {
  return source_system + " - " + external_id + " (" + internal_id + ")";
}

}  // namespace databus
