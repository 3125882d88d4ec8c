// The process's own messages (docs/operations.md "Monitoring", "Process
// logs"): what the dispatcher, the web server and the stores say about
// themselves, as opposed to drive logs (log.h), which stay in the original's
// format. One line per message with time, level and component, and the
// client and passenger where known; as text or as one JSON object a line
// (journald, Loki, Elasticsearch). Written through spdlog to stderr.
//
// A call site reads like the std::clog lines it replaced:
//
//   process_log::warning("dispatcher", {.client = id}) << "cycle failed: " << e.what();
//
// The line is written when the statement ends. Known secret shapes (a URL's
// password, password=/token=/secret= values, Authorization credentials) and
// every value given to add_secret() are replaced by "***" first.
//
// Thread-safety: every function may be called from any thread at once;
// configure() is meant for startup, before other threads log.
#pragma once

#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

namespace databus::process_log {

enum class Level { trace, debug, info, warning, error };
enum class Format { text, json };

// "trace" | "debug" | "info" | "warning" | "error"; parse_level() throws
// std::invalid_argument naming the accepted values for anything else.
std::string_view to_string(Level level);
Level parse_level(std::string_view text);
// "text" | "json"; parse_format() throws std::invalid_argument likewise.
Format parse_format(std::string_view text);

struct Options {
  Level level = Level::info;  // Messages below it are dropped. Default: info.
  Format format = Format::text;
  // Where lines go. Default: null, meaning stderr. Must outlive the logging
  // (tests give a stream of their own).
  std::ostream* output = nullptr;
};

// Replaces the current settings; until the first call: Options{}.
void configure(const Options& options);

// From now on, `secret` (when at least 4 characters) never appears in a
// message: e.g. a database password from the command line.
void add_secret(std::string secret);

// `text` with the known secret shapes and the added secrets replaced.
std::string redact(std::string text);

// What a message is about, when known.
struct Where {
  std::string_view client;
  std::string_view passenger;
};

// Writes one message now.
void write(Level level, std::string_view component, std::string_view message, Where where = {});
bool enabled(Level level);

// One message being put together with <<; written when it is destroyed.
class Line {
 public:
  Line(Level level, std::string_view component, Where where)
      : level_(level), component_(component), where_(where) {}
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;
  ~Line() {
    if (enabled(level_)) write(level_, component_, text_.str(), where_);
  }

  template <typename T>
  Line& operator<<(const T& value) {
    text_ << value;
    return *this;
  }

 private:
  Level level_;
  std::string_view component_;
  Where where_;
  std::ostringstream text_;
};

inline Line trace(std::string_view component, Where where = {}) {
  return Line(Level::trace, component, where);
}
inline Line debug(std::string_view component, Where where = {}) {
  return Line(Level::debug, component, where);
}
inline Line info(std::string_view component, Where where = {}) {
  return Line(Level::info, component, where);
}
inline Line warning(std::string_view component, Where where = {}) {
  return Line(Level::warning, component, where);
}
inline Line error(std::string_view component, Where where = {}) {
  return Line(Level::error, component, where);
}

}  // namespace databus::process_log
