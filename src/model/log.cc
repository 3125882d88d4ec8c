#include "databus/log.h"

#include <algorithm>
#include <stdexcept>

#include "databus/uuid.h"

namespace databus {
namespace {

// Parses "[time][source][type] message"; false when the line is not of that form.
bool parse_line(std::string_view line, LogEntry& out) {
  if (line.empty() || line.front() != '[') return false;
  const std::size_t t_end = line.find("][");
  if (t_end == std::string_view::npos) return false;
  const std::size_t s_end = line.find("][", t_end + 2);
  if (s_end == std::string_view::npos) return false;
  const std::size_t type_end = line.find(']', s_end + 2);
  if (type_end == std::string_view::npos) return false;
  try {
    out.time = parse_iso(line.substr(1, t_end - 1));
    out.type = parse_log_type(line.substr(s_end + 2, type_end - s_end - 2));
  } catch (const std::invalid_argument&) {
    return false;
  }
  out.source = std::string(line.substr(t_end + 2, s_end - t_end - 2));
  std::string_view rest = line.substr(type_end + 1);
  if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  out.message = std::string(rest);
  return true;
}

}  // namespace

std::string_view to_string(LogType type) {
  switch (type) {
    case LogType::info:
      return "info";
    case LogType::warning:
      return "warning";
    case LogType::error:
      return "error";
  }
  return "info";
}

LogType parse_log_type(std::string_view word) {
  if (word == "info") return LogType::info;
  if (word == "warning") return LogType::warning;
  if (word == "error") return LogType::error;
  throw std::invalid_argument("log type must be 'info', 'warning' or 'error', not '" +
                              std::string(word) + "'");
}

Log::Log()
    : guid_(new_uuid()),
      created_(std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now())) {}

Log::Log(std::string guid, TimePoint created) : guid_(std::move(guid)), created_(created) {}

void Log::add(std::string_view source, LogType type, std::string message) {
  // Microseconds: what the text form keeps, so a stored log reads back equal.
  const TimePoint now = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  entries_.push_back(LogEntry{now, std::string(source), type, std::move(message)});
  if (listener_.call) listener_.call(entries_.back());
}
void Log::info(std::string_view source, std::string message) {
  add(source, LogType::info, std::move(message));
}
void Log::warning(std::string_view source, std::string message) {
  add(source, LogType::warning, std::move(message));
}
void Log::error(std::string_view source, std::string message) {
  add(source, LogType::error, std::move(message));
}

LogType Log::worst_type() const {
  LogType worst = LogType::info;
  for (const LogEntry& e : entries_) worst = std::max(worst, e.type);
  return worst;
}

std::string Log::to_text() const {
  std::string out;
  for (const LogEntry& e : entries_) {
    std::string message = e.message;
    std::replace(message.begin(), message.end(), '\r', ' ');
    std::replace(message.begin(), message.end(), '\n', ' ');
    out += "[" + to_iso(e.time) + "][" + e.source + "][" + std::string(to_string(e.type)) + "] " +
           message + "\r\n";
  }
  return out;
}

Log Log::from_text(std::string guid, TimePoint created, std::string_view text) {
  Log log(std::move(guid), created);
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    LogEntry entry;
    if (parse_line(line, entry)) {
      log.entries_.push_back(std::move(entry));
    } else if (!log.entries_.empty()) {
      log.entries_.back().message += "\n" + std::string(line);
    } else {
      log.entries_.push_back(LogEntry{created, "", LogType::info, std::string(line)});
    }
  }
  return log;
}

}  // namespace databus
