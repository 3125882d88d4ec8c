#include "components/mail/email_reader.h"

#include <strings.h>

#include <cctype>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "components/content_digest.h"
#include "components/directory/directory_components.h"
#include "components/mail/gmime_support.h"
#include "databus/error.h"

namespace databus {

namespace {

using gmime::Ptr;

// What the part walk collects; attachments other than the body go to `parts`.
struct Walk {
  std::string body_text;
  std::string body_html;
  bool has_text = false;
  bool has_html = false;
  std::vector<Attachment> parts;
  int counter = 0;
};

std::string extension_for(GMimeContentType* type) {
  static const std::pair<const char*, const char*> known[] = {
      {"text/plain", "txt"},        {"text/html", "html"},      {"text/csv", "csv"},
      {"text/calendar", "ics"},     {"application/pdf", "pdf"}, {"application/zip", "zip"},
      {"application/json", "json"}, {"application/xml", "xml"}, {"text/xml", "xml"},
      {"image/png", "png"},         {"image/jpeg", "jpg"},      {"image/gif", "gif"},
  };
  for (const auto& [mime, ext] : known) {
    const std::string m = mime;
    const std::size_t slash = m.find('/');
    if (g_mime_content_type_is_type(type, m.substr(0, slash).c_str(),
                                    m.substr(slash + 1).c_str())) {
      return ext;
    }
  }
  return "bin";
}

// The decoded content of `part`; text/* converted from its charset to UTF-8.
std::string decoded(GMimePart* part, bool is_text) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  Ptr<GMimeStream> memory(g_mime_stream_mem_new());
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  if (is_text && charset != nullptr && strcasecmp(charset, "utf-8") != 0 &&
      strcasecmp(charset, "us-ascii") != 0) {
    Ptr<GMimeStream> filtered(g_mime_stream_filter_new(memory.get()));
    Ptr<GMimeFilter> convert(g_mime_filter_charset_new(charset, "UTF-8"));
    if (convert != nullptr) {
      g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), convert.get());
    }
    g_mime_data_wrapper_write_to_stream(content, filtered.get());
    g_mime_stream_flush(filtered.get());
  } else {
    g_mime_data_wrapper_write_to_stream(content, memory.get());
  }
  return gmime::stream_bytes(memory.get());
}

void visit_part(GMimeObject* parent, GMimeObject* object, gpointer data) {
  Walk& walk = *static_cast<Walk*>(data);
  if (GMIME_IS_MULTIPART(object)) return;  // Its children are visited.
  ++walk.counter;
  if (GMIME_IS_MESSAGE_PART(object)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    std::string bytes;
    if (inner != nullptr) {
      char* text = g_mime_object_to_string(GMIME_OBJECT(inner), nullptr);
      if (text != nullptr) bytes = text;
      g_free(text);
    }
    const char* filename = g_mime_object_get_content_disposition_parameter(object, "filename");
    std::string name = filename != nullptr ? email_internal::base_name(filename)
                                           : "message" + std::to_string(walk.counter);
    if (!name.ends_with(".eml")) name += ".eml";
    walk.parts.push_back({name, AttachmentFormat::binary, std::move(bytes)});
    return;
  }
  if (!GMIME_IS_PART(object)) return;
  GMimePart* part = GMIME_PART(object);
  GMimeContentType* type = g_mime_object_get_content_type(object);
  const bool is_text = g_mime_content_type_is_type(type, "text", "*");
  const char* filename = g_mime_part_get_filename(part);
  const char* disposition = g_mime_object_get_disposition(object);
  const bool attached = (filename != nullptr && *filename != 0) ||
                        (disposition != nullptr && strcasecmp(disposition, "attachment") == 0);
  std::string content = decoded(part, is_text);
  const AttachmentFormat format = is_text && directory_internal::is_text(content)
                                      ? AttachmentFormat::text
                                      : AttachmentFormat::binary;
  if (!attached && format == AttachmentFormat::text) {
    if (!walk.has_text && g_mime_content_type_is_type(type, "text", "plain")) {
      walk.has_text = true;
      walk.body_text = std::move(content);
      return;
    }
    if (!walk.has_html && g_mime_content_type_is_type(type, "text", "html")) {
      walk.has_html = true;
      walk.body_html = std::move(content);
      return;
    }
  }
  std::string name =
      filename != nullptr && *filename != 0 ? email_internal::base_name(filename) : std::string();
  if (name.empty()) name = "part" + std::to_string(walk.counter) + "." + extension_for(type);
  walk.parts.push_back({std::move(name), format, std::move(content)});
}

std::string lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// One JSON value as text; invalid UTF-8 replaced.
std::string json_text(const nlohmann::json& value, int indent = -1) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The headers as the JSON object text `nlohmann::ordered_json::dump(2)` would
// give. Written here rather than built as an ordered_json, whose every key
// lookup walks all keys: a message with some 100,000 distinct headers took
// minutes (seen while writing fuzz/mime_message). Names are case-insensitive: the
// first spelling names the key.
std::string headers_json(GMimeMessage* message) {
  struct Field {
    std::string key;
    std::vector<std::string> values;
  };
  std::vector<Field> fields;
  std::unordered_map<std::string, std::size_t> index;  // Lower-case name -> field.
  GMimeHeaderList* list = g_mime_object_get_header_list(GMIME_OBJECT(message));
  const int count = g_mime_header_list_get_count(list);
  for (int i = 0; i < count; ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
    const char* raw_name = g_mime_header_get_name(header);
    const char* raw_value = g_mime_header_get_value(header);
    if (raw_name == nullptr) continue;
    const auto [at, fresh] = index.try_emplace(lower_case(raw_name), fields.size());
    if (fresh) fields.push_back({raw_name, {}});
    fields[at->second].values.emplace_back(raw_value != nullptr ? raw_value : "");
  }
  if (fields.empty()) return "{}";
  std::string out = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    out += i == 0 ? "\n  " : ",\n  ";
    out += json_text(fields[i].key) + ": ";
    if (fields[i].values.size() == 1) {
      out += json_text(fields[i].values.front());
      continue;
    }
    // The array one level deeper (JSON text holds no raw line breaks).
    for (const char c : json_text(fields[i].values, 2)) {
      out += c;
      if (c == '\n') out += "  ";
    }
  }
  return out + "\n}";
}

}  // namespace

namespace email_internal {

std::string base_name(const std::string& name) {
  const std::size_t cut = name.find_last_of("/\\");
  return cut == std::string::npos ? name : name.substr(cut + 1);
}

}  // namespace email_internal

EmailContent read_email(const std::string& raw) {
  gmime::ensure_initialised();
  Ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Ptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  Ptr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (message == nullptr) throw Error("the message is not an e-mail (no MIME message found)");

  EmailContent out;
  const char* id = g_mime_message_get_message_id(message.get());
  std::string message_id = id != nullptr ? id : "";
  if (message_id.find_first_of("\r\n") != std::string::npos) message_id.clear();
  out.external_id = message_id.empty() ? content_digest(raw) : "<" + message_id + ">";
  const char* subject = g_mime_message_get_subject(message.get());
  if (subject != nullptr) out.subject = subject;

  Walk walk;
  g_mime_message_foreach(message.get(), visit_part, &walk);
  if (walk.has_text)
    out.attachments.push_back({"_body.txt", AttachmentFormat::text, walk.body_text});
  if (walk.has_html) {
    out.attachments.push_back({"_body.html", AttachmentFormat::text, walk.body_html});
  }
  out.attachments.push_back({"_headers.json", AttachmentFormat::text, headers_json(message.get())});
  for (Attachment& a : walk.parts) out.attachments.push_back(std::move(a));
  return out;
}

}  // namespace databus
