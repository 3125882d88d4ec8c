// Log: the record of one drive (or one dispatcher action), shown in the web
// interface and written by the database engine.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "databus/time.h"

namespace databus {

// Ordered by severity: info < warning < error.
enum class LogType { info = 0, warning = 1, error = 2 };

std::string_view to_string(LogType type);
// Throws std::invalid_argument for any other word.
LogType parse_log_type(std::string_view word);

struct LogEntry {
  TimePoint time{};
  std::string source;  // Module that wrote it, e.g. "databus.driver.primal_driver".
  LogType type = LogType::info;
  std::string message;

  bool operator==(const LogEntry&) const = default;
};

// Not thread-safe: a log belongs to one drive, which runs on one thread.
// Components that start threads of their own must serialise their writes.
class Log {
 public:
  // A new log with a fresh GUID, created now.
  Log();
  Log(std::string guid, TimePoint created);

  const std::string& guid() const { return guid_; }
  TimePoint created() const { return created_; }
  const std::vector<LogEntry>& entries() const { return entries_; }

  void add(std::string_view source, LogType type, std::string message);
  void info(std::string_view source, std::string message);
  void warning(std::string_view source, std::string message);
  void error(std::string_view source, std::string message);
  void append(const LogEntry& entry) { entries_.push_back(entry); }

  // Called with each entry add() makes, right after, on the adding thread:
  // the dispatcher's live tail of running drives (docs/operations.md
  // "Monitoring"). Not part of the log's value: a copy has none, and ==
  // ignores it. Empty (the default): none.
  void set_line_listener(std::function<void(const LogEntry&)> listener) {
    listener_.call = std::move(listener);
  }

  // The most severe type among the entries; info for an empty log.
  LogType worst_type() const;
  bool has_errors() const { return worst_type() == LogType::error; }

  // The text file form: one "[<ISO time>][<source>][<type>] <message>" line per
  // entry, lines separated by CRLF. Line breaks inside a message are written
  // as spaces so that one entry stays one line.
  std::string to_text() const;
  // Parses that form (CRLF or LF). Lines that do not match are appended to the
  // previous entry's message, so nothing written by hand is lost.
  static Log from_text(std::string guid, TimePoint created, std::string_view text);

  bool operator==(const Log&) const = default;

 private:
  std::string guid_;
  TimePoint created_{};
  std::vector<LogEntry> entries_;
  // Neither copied nor compared (see set_line_listener()).
  struct Listener {
    std::function<void(const LogEntry&)> call;
    Listener() = default;
    Listener(const Listener&) {}
    Listener& operator=(const Listener&) { return *this; }
    bool operator==(const Listener&) const { return true; }
  } listener_;
};

// What lists show of a log without reading it whole.
struct LogSummary {
  std::string guid;
  TimePoint created{};
  LogType worst_type = LogType::info;
};

}  // namespace databus
