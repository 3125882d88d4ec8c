#include "storage/sql/sql_codec.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace databus::sql {
namespace {

using nlohmann::json;

json steps_to_json(const std::vector<StepState>& steps) {
  json out = json::array();
  for (const StepState& s : steps) {
    out.push_back({{"module", s.module},
                   {"status", std::string(to_string(s.status))},
                   {"attempts", s.attempts},
                   {"last_error", s.last_error}});
  }
  return out;
}

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
  return f;
}

std::string encode_steps(const QueueEntry& entry) {
  return json{{"processors", steps_to_json(entry.processor_statuses)},
              {"pushers", steps_to_json(entry.pusher_statuses)}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

void decode_steps(std::string_view text, QueueEntry& entry) {
  try {
    const json j = parse(text, "steps");
    entry.processor_statuses = steps_from_json(j.at("processors"), "steps.processors");
    entry.pusher_statuses = steps_from_json(j.at("pushers"), "steps.pushers");
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("steps: ") + e.what());
  }
}

std::string encode_strings(const std::vector<std::string>& values) {
  return json(values).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> decode_strings(std::string_view text) {
  try {
    return parse(text, "log_guids").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("log_guids: ") + e.what());
  }
}

std::string encode_log_entries(const Log& log) {
  json out = json::array();
  for (const LogEntry& e : log.entries()) {
    out.push_back({to_micros(e.time), e.source, std::string(to_string(e.type)), e.message});
  }
  // Replace invalid UTF-8 rather than fail: a log must always be writable.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
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
