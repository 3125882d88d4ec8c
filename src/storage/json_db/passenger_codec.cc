#include "storage/json_db/passenger_codec.h"

#include <nlohmann/json.hpp>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

using nlohmann::json;

// passenger.json is written as one line with Python's json.dumps separators
// (", " and ": "), as the original wrote it, straight into one string: this
// runs three times per passenger and drive, and building an ordered_json
// first cost more than the rest of the encoding.

// Appends `text` as a JSON string. Plain printable ASCII (ids, module names,
// dates) is copied; anything else goes through nlohmann::json, which escapes
// control characters and replaces invalid UTF-8 (a source sending Latin-1
// ids) rather than failing the write: the bytes stay what they always were.
void append_string(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
      out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
  }
  out += '"';
  out.append(text);
  out += '"';
}

// Appends `"key": ` (keys are plain ASCII literals).
void append_key(std::string& out, std::string_view key) {
  out += '"';
  out.append(key);
  out += "\": ";
}

// Appends `"key": "text"`.
void append_field(std::string& out, std::string_view key, std::string_view text) {
  append_key(out, key);
  append_string(out, text);
}

void append_steps(std::string& out, const std::vector<StepState>& steps,
                  std::string_view module_key) {
  out += '[';
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const StepState& step = steps[i];
    if (i > 0) out += ", ";
    out += '{';
    append_field(out, module_key, step.module);
    out += ", ";
    append_field(out, "status", to_string(step.status));
    if (step.attempts != 0) {
      out += ", ";
      append_key(out, "attempts");
      out += std::to_string(step.attempts);
    }
    if (!step.last_error.empty()) {
      out += ", ";
      append_field(out, "last_error", step.last_error);
    }
    if (step.next_attempt != TimePoint{}) {
      out += ", ";
      append_field(out, "next_attempt", to_iso(step.next_attempt));
    }
    if (step.quarantined) {
      out += ", ";
      append_key(out, "quarantined");
      out += "true";
    }
    out += '}';
  }
  out += ']';
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
    if (f.has("next_attempt")) {
      try {
        step.next_attempt = parse_iso(f.text("next_attempt"));
      } catch (const std::invalid_argument& e) {
        f.fail("next_attempt", e.what());
      }
    }
    if (f.has("quarantined")) step.quarantined = f.flag("quarantined");
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace

std::string encode_passenger_json(const QueueEntry& entry) {
  const Passenger& p = entry.passenger;
  std::string out;
  out.reserve(512 + 64 * (p.attachments.size() + p.log_guids.size() +
                          entry.processor_statuses.size() + entry.pusher_statuses.size()));
  out += '{';
  append_field(out, "external_id", p.external_id);
  out += ", ";
  append_field(out, "internal_id", p.internal_id);
  out += ", ";
  append_field(out, "source_system", p.source_system);
  out += ", ";
  append_field(out, "passenger_module", p.passenger_module);
  out += ", ";
  append_field(out, "puller_module", p.puller_module);
  out += ", ";
  append_key(out, "puller_notified");
  out += entry.puller_notified ? "true" : "false";
  out += ", ";
  append_field(out, "pull_datetime", to_iso(p.pull_datetime));
  out += ", ";
  append_key(out, "attachments");
  out += '[';
  for (std::size_t i = 0; i < p.attachments.size(); ++i) {
    if (i > 0) out += ", ";
    out += '{';
    append_field(out, "name", p.attachments[i].name);
    out += ", ";
    append_field(out, "format", to_string(p.attachments[i].format));
    // Only for a shortened name: what the original wrote stays unchanged.
    if (!p.attachments[i].full_name.empty()) {
      out += ", ";
      append_field(out, "full_name", p.attachments[i].full_name);
    }
    // Only for a spooled one: its file is large, never read whole to list it.
    if (const auto& spool = p.attachments[i].spool; spool != nullptr) {
      out += ", ";
      append_key(out, "size");
      out += std::to_string(spool->size());
      out += ", ";
      append_field(out, "sha256", spool->sha256());
    }
    out += '}';
  }
  out += "], ";
  append_key(out, "log_guids");
  out += '[';
  for (std::size_t i = 0; i < p.log_guids.size(); ++i) {
    if (i > 0) out += ", ";
    append_string(out, p.log_guids[i]);
  }
  out += "], ";
  if (p.log_guids_dropped != 0) {
    append_key(out, "log_guids_dropped");
    out += std::to_string(p.log_guids_dropped);
    out += ", ";
  }
  append_key(out, "processor_statuses");
  append_steps(out, entry.processor_statuses, "processor_module");
  out += ", ";
  append_key(out, "pusher_statuses");
  append_steps(out, entry.pusher_statuses, "pusher_module");
  out += '}';
  return out;
}

QueueEntry decode_passenger_json(std::string_view text, const std::string& path) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    // Not only parse_error: a number too large for a double is out_of_range
    // (found by fuzz/passenger_json).
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
    if (a.has("full_name")) attachment.full_name = a.text("full_name");
    if (a.has("sha256")) {
      // The path is the entry folder's, which only the store knows: it sets it.
      attachment.spool = std::make_shared<const SpooledFile>(
          "", a.get("size", json::value_t::number_integer).get<std::uint64_t>(), a.text("sha256"),
          false);
    }
    p.attachments.push_back(std::move(attachment));
  }
  const json& guids = f.array("log_guids");
  for (std::size_t i = 0; i < guids.size(); ++i) {
    if (!guids[i].is_string()) f.fail(f.child("log_guids", i), "must be string");
    p.log_guids.push_back(guids[i].get<std::string>());
  }
  if (f.has("log_guids_dropped")) {
    const json& dropped = f.get("log_guids_dropped", json::value_t::number_integer);
    if (!dropped.is_number_unsigned()) f.fail("log_guids_dropped", "must not be negative");
    p.log_guids_dropped = dropped.get<std::uint64_t>();
  }
  entry.processor_statuses = decode_steps(f, "processor_statuses", "processor_module", path);
  entry.pusher_statuses = decode_steps(f, "pusher_statuses", "pusher_module", path);
  return entry;
}

}  // namespace databus
