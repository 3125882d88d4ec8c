#include "databus/config_version.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "databus/uuid.h"

namespace databus {
namespace {

// Beyond this many microseconds a TimePoint (nanoseconds in 64 bits) overflows.
constexpr std::int64_t kMaxMicros = 9'000'000'000'000'000;

std::string micros_text(TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

// FNV-1a, 64 bits: stable across builds and machines (unlike std::hash), which
// a tag handed to a browser and compared after a restart needs.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string describe_time(const std::optional<TimePoint>& t) {
  return t ? "at " + to_iso(*t) + " UTC" : "at an unknown time";
}

}  // namespace

ConfigVersion ConfigVersion::make(std::string saved_by, TimePoint now) {
  std::string uuid = new_uuid();
  // The last 16 hex digits of a version 7 UUID are random.
  std::string nonce = uuid.substr(uuid.size() - 12) + uuid.substr(uuid.size() - 17, 4);
  return ConfigVersion{micros_text(now) + "-" + nonce, std::move(saved_by)};
}

ConfigVersion ConfigVersion::of_text(std::string_view text, std::optional<TimePoint> modified) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  return ConfigVersion{(modified ? micros_text(*modified) : "") + "-h" + hash, ""};
}

std::optional<TimePoint> ConfigVersion::saved_at(std::string_view tag) {
  const std::size_t dash = tag.find('-');
  if (dash == 0 || dash == std::string_view::npos) return std::nullopt;
  std::int64_t micros = 0;
  const auto [end, ec] = std::from_chars(tag.data(), tag.data() + dash, micros);
  if (ec != std::errc() || end != tag.data() + dash || micros < 0 || micros > kMaxMicros) {
    return std::nullopt;
  }
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
}

EditConflictError::EditConflictError(const std::string& where, std::string loaded,
                                     ConfigVersion current)
    : Error(where + " was saved " + describe_time(current.saved()) +
            (current.saved_by.empty() ? "" : " by " + current.saved_by) +
            ", after the version you edited (saved " +
            describe_time(ConfigVersion::saved_at(loaded)) +
            "): nothing was saved. Load the current version, apply your changes to it and "
            "save again."),
      loaded_(std::move(loaded)),
      current_(std::move(current)) {}

}  // namespace databus
