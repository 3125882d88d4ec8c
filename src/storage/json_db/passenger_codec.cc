#include "storage/json_db/passenger_codec.h"

#include <nlohmann/json.hpp>

#include "databus/error.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// One line with Python's json.dumps separators (", " and ": "), as the
// original wrote passenger.json. Invalid UTF-8 in a string (a source sending
// Latin-1 ids) is replaced rather than failing the write.
void dump_python_style(const ordered_json& j, std::string& out) {
  if (j.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      if (!first) out += ", ";
      first = false;
      out += ordered_json(key).dump(-1, ' ', false, json::error_handler_t::replace);
      out += ": ";
      dump_python_style(value, out);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (i > 0) out += ", ";
      dump_python_style(j[i], out);
    }
    out += ']';
  } else {
    out += j.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

ordered_json encode_steps(const std::vector<StepState>& steps, const char* module_key) {
  ordered_json out = ordered_json::array();
  for (const StepState& step : steps) {
    ordered_json s;
    s[module_key] = step.module;
    s["status"] = std::string(to_string(step.status));
    if (step.attempts != 0) s["attempts"] = step.attempts;
    if (!step.last_error.empty()) s["last_error"] = step.last_error;
    out.push_back(std::move(s));
  }
  return out;
}

// Reads fields of one JSON object, naming the field in every error.
class Fields {
 public:
  Fields(const json& object, std::string prefix, const std::string& path)
      : object_(object), prefix_(std::move(prefix)), path_(path) {
    if (!object_.is_object()) fail("", "is not an object");
  }

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    std::string field = prefix_ + (prefix_.empty() || key.empty() ? "" : ".") + key;
    throw CorruptDataError(path_, (field.empty() ? "" : "field '" + field + "' ") + message);
  }

  const json& get(const std::string& key, json::value_t type) const {
    auto it = object_.find(key);
    if (it == object_.end()) fail(key, "is missing");
    bool ok =
        it->type() == type || (type == json::value_t::number_integer && it->is_number_unsigned());
    if (!ok) fail(key, std::string("must be ") + json(type).type_name());
    return *it;
  }
  std::string text(const std::string& key) const {
    return get(key, json::value_t::string).get<std::string>();
  }
  bool flag(const std::string& key) const { return get(key, json::value_t::boolean).get<bool>(); }
  const json& array(const std::string& key) const { return get(key, json::value_t::array); }
  bool has(const std::string& key) const { return object_.contains(key); }
  std::string child(const std::string& key, std::size_t i) const {
    return prefix_ + (prefix_.empty() ? "" : ".") + key + "[" + std::to_string(i) + "]";
  }

 private:
  const json& object_;
  std::string prefix_;
  const std::string& path_;
};

std::vector<StepState> decode_steps(const Fields& top, const std::string& key,
                                    const char* module_key, const std::string& path) {
  std::vector<StepState> steps;
  const json& list = top.array(key);
  for (std::size_t i = 0; i < list.size(); ++i) {
    Fields f(list[i], top.child(key, i), path);
    StepState step;
    step.module = f.text(module_key);
    try {
      step.status = parse_step_status(f.text("status"));
    } catch (const std::invalid_argument&) {
      f.fail("status", "is not undefined, incomplete or complete");
    }
    if (f.has("attempts"))
      step.attempts = f.get("attempts", json::value_t::number_integer).get<int>();
    if (f.has("last_error")) step.last_error = f.text("last_error");
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace

std::string encode_passenger_json(const QueueEntry& entry) {
  const Passenger& p = entry.passenger;
  ordered_json j;
  j["external_id"] = p.external_id;
  j["internal_id"] = p.internal_id;
  j["source_system"] = p.source_system;
  j["passenger_module"] = p.passenger_module;
  j["puller_module"] = p.puller_module;
  j["puller_notified"] = entry.puller_notified;
  j["pull_datetime"] = to_iso(p.pull_datetime);
  j["attachments"] = ordered_json::array();
  for (const Attachment& a : p.attachments) {
    j["attachments"].push_back({{"name", a.name}, {"format", std::string(to_string(a.format))}});
  }
  j["log_guids"] = p.log_guids;
  j["processor_statuses"] = encode_steps(entry.processor_statuses, "processor_module");
  j["pusher_statuses"] = encode_steps(entry.pusher_statuses, "pusher_module");
  std::string out;
  dump_python_style(j, out);
  return out;
}

QueueEntry decode_passenger_json(std::string_view text, const std::string& path) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw CorruptDataError(path, std::string("is not valid JSON: ") + e.what());
  }
  Fields f(j, "", path);
  QueueEntry entry;
  Passenger& p = entry.passenger;
  p.external_id = f.text("external_id");
  p.internal_id = f.text("internal_id");
  p.source_system = f.text("source_system");
  p.passenger_module = f.text("passenger_module");
  p.puller_module = f.text("puller_module");
  entry.puller_notified = f.flag("puller_notified");
  try {
    p.pull_datetime = parse_iso(f.text("pull_datetime"));
  } catch (const std::invalid_argument&) {
    f.fail("pull_datetime", "is not an ISO date and time");
  }
  const json& attachments = f.array("attachments");
  for (std::size_t i = 0; i < attachments.size(); ++i) {
    Fields a(attachments[i], f.child("attachments", i), path);
    Attachment attachment;
    attachment.name = a.text("name");
    if (!is_safe_attachment_name(attachment.name)) a.fail("name", "is not a safe file name");
    try {
      attachment.format = parse_attachment_format(a.text("format"));
    } catch (const std::invalid_argument&) {
      a.fail("format", "is not text or binary");
    }
    p.attachments.push_back(std::move(attachment));
  }
  const json& guids = f.array("log_guids");
  for (std::size_t i = 0; i < guids.size(); ++i) {
    if (!guids[i].is_string()) f.fail(f.child("log_guids", i), "must be string");
    p.log_guids.push_back(guids[i].get<std::string>());
  }
  entry.processor_statuses = decode_steps(f, "processor_statuses", "processor_module", path);
  entry.pusher_statuses = decode_steps(f, "pusher_statuses", "pusher_module", path);
  return entry;
}

}  // namespace databus
