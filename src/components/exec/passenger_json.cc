#include "components/exec/passenger_json.h"

#include <stdexcept>

#include "databus/attachment_content.h"
#include "databus/time.h"

namespace databus {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto v = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (c != '\n' && c != '\r') clean += c;
  }
  if (clean.size() % 4 != 0) throw std::invalid_argument("base64 length is not a multiple of 4");
  std::string out;
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = clean[i + k];
      const bool last_group = i + 4 == clean.size();
      if (c == '=' && last_group && k >= 2 && (k == 3 || clean[i + 3] == '=')) {
        v[k] = 0;
        ++pad;
        continue;
      }
      v[k] = sextet(c);
      if (v[k] < 0 || pad > 0) throw std::invalid_argument("invalid base64");
    }
    const unsigned n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((n >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
  }
  return out;
}

nlohmann::json passenger_to_json(const Passenger& p) {
  nlohmann::json attachments = nlohmann::json::array();
  for (const Attachment& a : p.attachments) {
    // A spooled attachment is read whole here, up to kWholeContentLimit.
    const std::string spooled =
        a.spool != nullptr ? read_content(a, kWholeContentLimit, p.describe()) : std::string();
    const std::string& content = a.spool != nullptr ? spooled : a.content;
    nlohmann::json item = {
        {"name", a.name},
        {"format", to_string(a.format)},
        {"content", a.format == AttachmentFormat::binary ? base64_encode(content) : content}};
    if (!a.full_name.empty()) item["full_name"] = a.full_name;
    attachments.push_back(std::move(item));
  }
  return {{"external_id", p.external_id},         {"internal_id", p.internal_id},
          {"source_system", p.source_system},     {"passenger_module", p.passenger_module},
          {"puller_module", p.puller_module},     {"pull_datetime", to_iso(p.pull_datetime)},
          {"attachments", std::move(attachments)}};
}

std::vector<Attachment> attachments_from_json(const nlohmann::json& object) {
  std::vector<Attachment> out;
  if (!object.contains("attachments") || object.at("attachments").is_null()) return out;
  const nlohmann::json& list = object.at("attachments");
  if (!list.is_array()) throw std::invalid_argument("\"attachments\" must be a list");
  for (const nlohmann::json& item : list) {
    if (!item.is_object() || !item.contains("name") || !item.at("name").is_string()) {
      throw std::invalid_argument("each attachment needs a \"name\" string");
    }
    Attachment a;
    a.name = item.at("name").get<std::string>();
    const std::string where = "attachment \"" + a.name + "\": ";
    if (item.contains("format")) {
      if (!item.at("format").is_string()) throw std::invalid_argument(where + "bad \"format\"");
      try {
        a.format = parse_attachment_format(item.at("format").get<std::string>());
      } catch (const std::invalid_argument&) {
        throw std::invalid_argument(where + "\"format\" must be \"text\" or \"binary\"");
      }
    }
    if (item.contains("content")) {
      if (!item.at("content").is_string()) {
        throw std::invalid_argument(where + "\"content\" must be a string");
      }
      const std::string& content = item.at("content").get_ref<const std::string&>();
      try {
        a.content = a.format == AttachmentFormat::binary ? base64_decode(content) : content;
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where + e.what());
      }
    }
    if (item.contains("full_name")) {
      if (!item.at("full_name").is_string()) {
        throw std::invalid_argument(where + "\"full_name\" must be a string");
      }
      a.full_name = item.at("full_name").get<std::string>();
    }
    out.push_back(std::move(a));
  }
  return out;
}

void keep_full_names(std::vector<Attachment>& returned, const std::vector<Attachment>& sent) {
  for (Attachment& a : returned) {
    a.full_name.clear();
    for (const Attachment& s : sent) {
      if (s.name == a.name && !s.full_name.empty()) {
        a.full_name = s.full_name;
        break;
      }
    }
  }
}

}  // namespace databus
