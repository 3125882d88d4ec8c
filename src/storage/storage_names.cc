#include "storage/storage_names.h"

#include "databus/attachment.h"
#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {

void check_file_name_id(std::string_view what, const std::string& value) {
  bool ok = !value.empty() && value != "." && value != "..";
  for (char c : value) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-');
  }
  if (!ok) {
    throw ConfigError(
        std::string(what), std::string(what),
        "invalid " + std::string(what) + " '" + value + "': use letters, digits, '_', '.' and '-'");
  }
}

void check_passenger_state_key(const std::string& passenger_module, const std::string& name) {
  check_file_name_id("passenger", passenger_module);
  check_file_name_id("state name", name);
  if (name.size() > 100) {
    throw ConfigError("state name", "state name",
                      "invalid state name '" + name.substr(0, 40) + "...': longer than 100 bytes");
  }
}

void check_uuid(std::string_view what, const std::string& value) {
  if (!is_uuid(value)) {
    throw ConfigError(std::string(what), std::string(what),
                      "invalid " + std::string(what) + " '" + value + "': not a UUID");
  }
}

void check_backup_id(const std::string& backup_id, const std::string& node) {
  check_file_name_id("customizing node", node);
  constexpr std::size_t kUuidLength = 36;
  if (backup_id.size() != kUuidLength + 1 + node.size() || backup_id[kUuidLength] != '-' ||
      !is_uuid(backup_id.substr(0, kUuidLength)) || !backup_id.ends_with(node)) {
    throw ConfigError("backup id", "backup id",
                      "invalid backup id '" + backup_id + "': expected <uuid>-" + node);
  }
}

bool is_safe_attachment_name(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.size() > kMaxAttachmentName) return false;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '/' || byte < 0x20 || byte == 0x7F) return false;  // NUL and the C0 controls.
  }
  return true;
}

}  // namespace databus
