#include "logging/process_log.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>

namespace databus::process_log {
namespace {

struct State {
  std::mutex mu;
  std::shared_ptr<spdlog::logger> logger;
  Format format = Format::text;
  std::vector<std::string> secrets;
};

State& state() {
  static State s;
  return s;
}

std::atomic<int> threshold{static_cast<int>(Level::info)};

spdlog::level::level_enum spd_level(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warning:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// Time in UTC with milliseconds; the text form then "LEVEL [component]
// message", the JSON form the fields written by write().
std::shared_ptr<spdlog::logger> make_logger(const Options& o) {
  spdlog::sink_ptr sink;
  if (o.output != nullptr) {
    sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*o.output, true);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  const std::string pattern = o.format == Format::json
                                  ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
                                  : "%Y-%m-%dT%H:%M:%S.%eZ %-7l %v";
  sink->set_formatter(
      std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
  auto logger = std::make_shared<spdlog::logger>("databus", sink);
  logger->set_level(spdlog::level::trace);  // Filtered by `threshold` before formatting.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::shared_ptr<spdlog::logger> current(Format& format) {
  State& s = state();
  std::lock_guard lock(s.mu);
  if (!s.logger) s.logger = make_logger(Options{});
  format = s.format;
  return s.logger;
}

// The known shapes of secrets in messages: a URL's user:password@, the
// values of password/secret/token/api key assignments, and the credentials
// after Bearer or Basic.
const std::vector<std::pair<std::regex, std::string>>& shapes() {
  static const std::vector<std::pair<std::regex, std::string>> list = {
      {std::regex(R"(([A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:)[^@\s/]+@)"), "$1***@"},
      {std::regex(
           R"(((?:password|passwd|pwd|secret|token|api[_-]?key)["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"']+))",
           std::regex::icase),
       "$1***"},
      {std::regex(R"(((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=\-]+)", std::regex::icase), "$1***"},
  };
  return list;
}

}  // namespace

std::string_view to_string(Level level) {
  switch (level) {
    case Level::trace:
      return "trace";
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warning:
      return "warning";
    case Level::error:
      return "error";
  }
  return "info";
}

Level parse_level(std::string_view text) {
  for (Level l : {Level::trace, Level::debug, Level::info, Level::warning, Level::error}) {
    if (text == to_string(l)) return l;
  }
  throw std::invalid_argument("log level must be trace, debug, info, warning or error, got '" +
                              std::string(text) + "'");
}

Format parse_format(std::string_view text) {
  if (text == "text") return Format::text;
  if (text == "json") return Format::json;
  throw std::invalid_argument("log format must be text or json, got '" + std::string(text) + "'");
}

void configure(const Options& options) {
  State& s = state();
  std::lock_guard lock(s.mu);
  s.logger = make_logger(options);
  s.format = options.format;
  threshold = static_cast<int>(options.level);
}

void add_secret(std::string secret) {
  if (secret.size() < 4) return;  // Shorter ones would mask ordinary words.
  State& s = state();
  std::lock_guard lock(s.mu);
  s.secrets.push_back(std::move(secret));
}

std::string redact(std::string text) {
  for (const auto& [shape, replacement] : shapes()) {
    text = std::regex_replace(text, shape, replacement);
  }
  State& s = state();
  std::lock_guard lock(s.mu);
  for (const std::string& secret : s.secrets) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

bool enabled(Level level) { return static_cast<int>(level) >= threshold.load(); }

void write(Level level, std::string_view component, std::string_view message, Where where) {
  if (!enabled(level)) return;
  try {
    Format format = Format::text;
    const std::shared_ptr<spdlog::logger> logger = current(format);
    const std::string text = redact(std::string(message));
    std::string line;
    if (format == Format::json) {
      // The fields after time and level: the pattern's %v.
      nlohmann::json fields = nlohmann::json::object();
      fields["component"] = component;
      if (!where.client.empty()) fields["client"] = where.client;
      if (!where.passenger.empty()) fields["passenger"] = where.passenger;
      fields["message"] = text;
      line = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      line = line.substr(1, line.size() - 2);
    } else {
      line = "[" + std::string(component) + "]";
      if (!where.client.empty()) line += " client=" + std::string(where.client);
      if (!where.passenger.empty()) line += " passenger=" + std::string(where.passenger);
      line += " " + text;
    }
    logger->log(spd_level(level), spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
    // A message that cannot be written is lost; logging never throws.
  }
}

}  // namespace databus::process_log
