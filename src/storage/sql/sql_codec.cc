#include "storage/sql/sql_codec.h"

#include <algorithm>

#include <charconv>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "storage/sql/text_codec.h"

namespace databus::sql {
namespace {

using nlohmann::json;

std::vector<StepState> steps_from_json(const json& j, const char* field) {
  if (!j.is_array()) throw std::invalid_argument(std::string(field) + ": not an array");
  std::vector<StepState> out;
  for (const json& item : j) {
    StepState s;
    s.module = item.at("module").get<std::string>();
    s.status = parse_step_status(item.at("status").get<std::string>());
    s.attempts = item.value("attempts", 0);
    s.last_error = item.value("last_error", std::string());
    out.push_back(std::move(s));
  }
  return out;
}

json parse(std::string_view text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::invalid_argument(std::string(what) + ": not JSON");
  return j;
}

}  // namespace

std::int64_t to_micros(TimePoint t) {
  return std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::int64_t ceil_micros(TimePoint t) {
  return std::chrono::ceil<std::chrono::microseconds>(t.time_since_epoch()).count();
}

TimePoint from_micros(std::int64_t micros) {
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(micros)));
}

EntryFlags EntryFlags::of(const QueueEntry& entry) {
  EntryFlags f;
  f.notified = entry.puller_notified;
  f.processors_complete = entry.processors_complete();
  f.pushers_complete = !entry.has_incomplete_pusher();
  f.complete = f.notified && f.processors_complete && f.pushers_complete;
  // A time before the epoch is due at once as well: stored as 0, the value
  // of every step that never failed (the SQLite due query's first arm,
  // sql_query.cc).
  if (const std::optional<TimePoint> due = entry.due_at()) {
    f.due_at = std::max<std::int64_t>(0, to_micros(*due));
  }
  f.failing = entry.failing();
  f.quarantined = entry.quarantined();
  return f;
}

namespace {

char status_letter(StepStatus s) {
  switch (s) {
    case StepStatus::undefined:
      return 'u';
    case StepStatus::incomplete:
      return 'i';
    case StepStatus::complete:
      return 'c';
  }
  return 'i';
}

StepStatus status_of_letter(char c) {
  switch (c) {
    case 'u':
      return StepStatus::undefined;
    case 'i':
      return StepStatus::incomplete;
    case 'c':
      return StepStatus::complete;
  }
  throw std::invalid_argument(std::string("steps: unknown status letter '") + c + "'");
}

void append_number(std::string& out, std::int64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// "<length>:<bytes>", the bytes made storable first.
void append_field(std::string& out, std::string_view text) {
  if (first_unstorable_byte(text) == std::string_view::npos) {
    append_number(out, static_cast<std::int64_t>(text.size()));
    out += ':';
    out.append(text);
    return;
  }
  std::string clean;
  append_storable(clean, text);
  append_field(out, clean);
}

// A step waiting for its next attempt or quarantined is written with its
// kind in capitals and two more numbers after its attempts: the next attempt
// in microseconds and 1 when quarantined (else 0). Others keep the short form.
void append_steps(std::string& out, char kind, const std::vector<StepState>& steps) {
  for (const StepState& s : steps) {
    const bool retry_state = s.next_attempt != TimePoint{} || s.quarantined;
    out += retry_state ? static_cast<char>(kind - 'a' + 'A') : kind;
    out += status_letter(s.status);
    append_number(out, s.attempts);
    out += ':';
    if (retry_state) {
      append_number(out, to_micros(s.next_attempt));
      out += ':';
      out += s.quarantined ? '1' : '0';
      out += ':';
    }
    append_field(out, s.module);
    append_field(out, s.last_error);
  }
}

// Reads what append_number() or append_field() wrote, advancing `at`.
class CompactReader {
 public:
  explicit CompactReader(std::string_view text) : text_(text) {}
  bool done() const { return at_ >= text_.size(); }
  char letter() {
    if (done()) fail("ends early");
    return text_[at_++];
  }
  std::int64_t number() {
    std::int64_t n = 0;
    const char* begin = text_.data() + at_;
    const auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), n);
    if (ec != std::errc() || end == text_.data() + text_.size() || *end != ':') fail("bad number");
    at_ += static_cast<std::size_t>(end - begin) + 1;
    return n;
  }
  std::string field() {
    const std::int64_t n = number();
    if (n < 0 || static_cast<std::size_t>(n) > text_.size() - at_) fail("bad length");
    std::string out(text_.substr(at_, static_cast<std::size_t>(n)));
    at_ += static_cast<std::size_t>(n);
    return out;
  }
  [[noreturn]] void fail(const char* what) const {
    throw std::invalid_argument(std::string("steps: ") + what + " at byte " + std::to_string(at_));
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

// A log GUID that needs no quoting in the comma-separated form.
bool plain_guid(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string encode_steps(const QueueEntry& entry) {
  std::string out;
  out.reserve(16 + 48 * (entry.processor_statuses.size() + entry.pusher_statuses.size()));
  out += kCompactStepsMark;
  append_steps(out, 'p', entry.processor_statuses);
  append_steps(out, 'q', entry.pusher_statuses);
  return out;
}

void decode_steps(std::string_view text, QueueEntry& entry) {
  if (!text.empty() && text.front() == kCompactStepsMark) {
    CompactReader r(text.substr(1));
    entry.processor_statuses.clear();
    entry.pusher_statuses.clear();
    while (!r.done()) {
      const char kind = r.letter();
      const bool retry_state = kind == 'P' || kind == 'Q';
      if (kind != 'p' && kind != 'q' && !retry_state) r.fail("unknown step kind");
      StepState s;
      s.status = status_of_letter(r.letter());
      s.attempts = static_cast<int>(r.number());
      if (retry_state) {
        s.next_attempt = from_micros(r.number());
        const std::int64_t quarantined = r.number();
        if (quarantined != 0 && quarantined != 1) r.fail("bad quarantine flag");
        s.quarantined = quarantined == 1;
      }
      s.module = r.field();
      s.last_error = r.field();
      (kind == 'p' || kind == 'P' ? entry.processor_statuses : entry.pusher_statuses)
          .push_back(std::move(s));
    }
    return;
  }
  // Schema version 1 wrote JSON; such rows are read until rewritten.
  try {
    const json j = parse(text, "steps");
    entry.processor_statuses = steps_from_json(j.at("processors"), "steps.processors");
    entry.pusher_statuses = steps_from_json(j.at("pushers"), "steps.pushers");
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("steps: ") + e.what());
  }
}

std::string encode_strings(const std::vector<std::string>& values) {
  bool plain = true;
  std::size_t size = 0;
  for (const std::string& v : values) {
    plain = plain && plain_guid(v);
    size += v.size() + 1;
  }
  if (!plain) return json(values).dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(size);
  for (const std::string& v : values) {
    if (!out.empty()) out += ',';
    out += v;
  }
  return out;
}

std::vector<std::string> decode_strings(std::string_view text) {
  if (text.empty()) return {};
  if (text.front() != '[' && text.front() != '{') {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = text.find(',', start);
      out.emplace_back(text.substr(start, comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return out;
  }
  try {
    return parse(text, "log_guids").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("log_guids: ") + e.what());
  }
}

std::string encode_log_guids(const Passenger& passenger) {
  if (passenger.log_guids_dropped == 0) return encode_strings(passenger.log_guids);
  return "#" + std::to_string(passenger.log_guids_dropped) + "," +
         encode_strings(passenger.log_guids);
}

void decode_log_guids(std::string_view text, Passenger& passenger) {
  passenger.log_guids_dropped = 0;
  if (!text.empty() && text.front() == '#') {
    const std::size_t comma = text.find(',');
    const std::string_view digits =
        text.substr(1, comma == std::string_view::npos ? text.npos : comma - 1);
    std::uint64_t dropped = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), dropped);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      throw std::invalid_argument("log_guids: malformed count of dropped log GUIDs");
    }
    passenger.log_guids_dropped = dropped;
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  passenger.log_guids = decode_strings(text);
}

std::string encode_log_entries(const Log& log) {
  // Written by hand: a drive's log holds a few lines per passenger, and this
  // runs once per drive on the hot path. Invalid UTF-8 is replaced rather
  // than refused: a log must always be writable.
  std::string out = "[";
  for (const LogEntry& e : log.entries()) {
    if (out.size() > 1) out += ',';
    out += '[';
    append_number(out, to_micros(e.time));
    out += ',';
    append_json_string(out, e.source);
    out += ',';
    append_json_string(out, to_string(e.type));
    out += ',';
    append_json_string(out, e.message);
    out += ']';
  }
  out += ']';
  return out;
}

Log decode_log(std::string guid, TimePoint created, std::string_view text) {
  Log log(std::move(guid), created);
  try {
    const json j = parse(text, "log entries");
    if (!j.is_array()) throw std::invalid_argument("log entries: not an array");
    for (const json& item : j) {
      log.append(
          LogEntry{from_micros(item.at(0).get<std::int64_t>()), item.at(1).get<std::string>(),
                   parse_log_type(item.at(2).get<std::string>()), item.at(3).get<std::string>()});
    }
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("log entries: ") + e.what());
  }
  return log;
}

}  // namespace databus::sql
