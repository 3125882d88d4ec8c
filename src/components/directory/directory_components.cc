// Specs, registration and helpers shared by the directory puller and pusher.
#include "components/directory/directory_components.h"

#include "databus/error.h"

namespace databus {

ComponentSpec directory_puller_spec() {
  ComponentSpec spec;
  spec.name = kDirectoryPullerModule;
  spec.summary = "Pulls each file of a local folder as a passenger with the file as attachment.";
  spec.settings = {
      SettingSpec{"path", "Folder to read files from.", nullptr, true, false, HostAccess::path}
          .string(),
      SettingSpec{"pattern", "Glob of the file names to take; '*' skips names starting with a dot.",
                  "*"}
          .string(),
      SettingSpec{"done_path",
                  "Folder a file is moved to once its passenger is queued (created when missing). "
                  "Set this or delete_after_notify.",
                  "", false, false, HostAccess::path}
          .string(),
      SettingSpec{"delete_after_notify", "Delete a file once its passenger is queued.", false}
          .boolean(),
      SettingSpec{"source_system", "Source system name given to the passengers.", "directory"}
          .string(),
  };
  return spec;
}

ComponentSpec directory_pusher_spec() {
  ComponentSpec spec;
  spec.name = kDirectoryPusherModule;
  spec.summary =
      "Writes each passenger's attachments to <path>/<internal id>/, the folder appearing whole.";
  spec.settings = {SettingSpec{"path",
                               "Folder to write passenger folders into (created when missing).",
                               nullptr, true, false, HostAccess::path}
                       .string()};
  return spec;
}

void register_directory_components(Registry& registry) {
  registry.add_puller(directory_puller_spec(),
                      [](const ComponentEnv& env) -> std::unique_ptr<Puller> {
                        return std::make_unique<DirectoryPuller>(env);
                      });
  registry.add_pusher(directory_pusher_spec(),
                      [](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
                        return std::make_unique<DirectoryPusher>(env);
                      });
}

namespace directory_internal {

std::string where(const ComponentEnv& env) {
  return env.module + " of passenger " + env.passenger + " of client " + env.client_id;
}

std::string string_setting(const ComponentEnv& env, const std::string& key,
                           const std::string& fallback) {
  if (!env.settings.is_object() || !env.settings.contains(key)) return fallback;
  const nlohmann::json& value = env.settings.at(key);
  if (value.is_null()) return fallback;
  if (!value.is_string()) throw ConfigError(where(env), key, "must be a string");
  return value.get<std::string>();
}

bool bool_setting(const ComponentEnv& env, const std::string& key, bool fallback) {
  if (!env.settings.is_object() || !env.settings.contains(key)) return fallback;
  const nlohmann::json& value = env.settings.at(key);
  if (value.is_null()) return fallback;
  if (!value.is_boolean()) throw ConfigError(where(env), key, "must be true or false");
  return value.get<bool>();
}

bool is_text_head(std::string_view head) {
  std::size_t end = head.size();
  for (std::size_t back = 0; back < 3 && end > 0; ++back) {
    const auto c = static_cast<unsigned char>(head[end - 1]);
    if (c < 0x80) break;
    --end;
    if (c >= 0xC0) break;  // The lead byte of the cut sequence.
  }
  return is_text(std::string(head.substr(0, end)));
}

AttachmentFormat format_of(const Attachment& attachment, std::string_view head) {
  const bool text = attachment.spool == nullptr ? is_text(attachment.content) : is_text_head(head);
  return text ? AttachmentFormat::text : AttachmentFormat::binary;
}

bool is_text(const std::string& bytes) {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    int more;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      more = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      more = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      more = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(more) >= n) return false;
    for (int k = 1; k <= more; ++k) {
      const auto d = static_cast<unsigned char>(bytes[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[more] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<std::size_t>(more) + 1;
  }
  return true;
}

std::string file_external_id(const std::string& name, std::uintmax_t size, std::int64_t mtime_ns) {
  return name + ":" + std::to_string(size) + ":" + std::to_string(mtime_ns);
}

bool parse_file_external_id(const std::string& id, std::string& name, std::uintmax_t& size,
                            std::int64_t& mtime_ns) {
  // The name may itself hold ':', so the numbers are taken from the right.
  const std::size_t second = id.rfind(':');
  if (second == std::string::npos || second == 0) return false;
  const std::size_t first = id.rfind(':', second - 1);
  if (first == std::string::npos || first == 0) return false;
  try {
    std::size_t used = 0;
    const std::string size_text = id.substr(first + 1, second - first - 1);
    const std::string mtime_text = id.substr(second + 1);
    if (size_text.empty() || mtime_text.empty() || size_text[0] == '-') return false;
    size = std::stoull(size_text, &used);
    if (used != size_text.size()) return false;
    mtime_ns = std::stoll(mtime_text, &used);
    if (used != mtime_text.size()) return false;
  } catch (const std::exception&) {
    return false;
  }
  name = id.substr(0, first);
  return true;
}

}  // namespace directory_internal

}  // namespace databus
