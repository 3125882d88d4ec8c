#include "databus/setting.h"

#include <cmath>
#include <cstdio>

namespace databus {
namespace {

// A bound as users write it: 65535, not 65535.000000.
std::string format_number(double value) {
  if (std::isinf(value)) return value > 0 ? "infinity" : "-infinity";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string quoted_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += "\"" + words[i] + "\"";
  }
  return out;
}

// "from 0 to 65535", "greater than 0", "of at least 1", "" (no bounds).
std::string range_text(const SettingSpec& s) {
  const bool low = !std::isinf(s.minimum);
  const bool high = !std::isinf(s.maximum);
  if (s.exclusive_minimum) {
    std::string text = "greater than " + format_number(s.minimum);
    if (high) text += " and at most " + format_number(s.maximum);
    return text;
  }
  if (low && high) return "from " + format_number(s.minimum) + " to " + format_number(s.maximum);
  if (low) return "of at least " + format_number(s.minimum);
  if (high) return "of at most " + format_number(s.maximum);
  return "";
}

bool in_range(const SettingSpec& s, double value) {
  if (s.exclusive_minimum ? !(value > s.minimum) : value < s.minimum) return false;
  return value <= s.maximum;
}

// What the value must be, as the start of an error message.
std::string expectation(const SettingSpec& s) {
  const std::string range = range_text(s);
  switch (s.type) {
    case SettingType::string:
      return "must be a string";
    case SettingType::boolean:
      return "must be true or false";
    case SettingType::integer:
      return "must be a whole number" + (range.empty() ? "" : " " + range);
    case SettingType::number:
      return "must be a number" + (range.empty() ? "" : " " + range);
    case SettingType::choice:
      return "must be " + quoted_words(s.choices);
    case SettingType::string_list:
      return "must be a list of strings";
    case SettingType::string_map:
      return "must be an object whose values are strings";
    case SettingType::list:
      return "must be a list";
    case SettingType::object:
      return "must be an object";
    case SettingType::any:
      break;
  }
  return "";
}

bool fits(const SettingSpec& s, const nlohmann::json& value) {
  switch (s.type) {
    case SettingType::any:
      return true;
    case SettingType::string:
      return value.is_string();
    case SettingType::boolean:
      return value.is_boolean();
    case SettingType::integer:
      // 8.0 is not a whole number in JSON's sense here: ports and counts are
      // written without a fraction.
      return value.is_number_integer() && in_range(s, value.get<double>());
    case SettingType::number:
      return value.is_number() && in_range(s, value.get<double>());
    case SettingType::choice:
      if (!value.is_string()) return false;
      for (const std::string& word : s.choices) {
        if (value.get<std::string>() == word) return true;
      }
      return false;
    case SettingType::string_list:
      if (!value.is_array()) return false;
      for (const auto& item : value) {
        if (!item.is_string()) return false;
      }
      return true;
    case SettingType::string_map:
      if (!value.is_object()) return false;
      for (const auto& item : value.items()) {
        if (!item.value().is_string()) return false;
      }
      return true;
    case SettingType::list:
      return value.is_array();
    case SettingType::object:
      return value.is_object();
  }
  return true;
}

}  // namespace

std::string_view to_string(SettingType type) {
  switch (type) {
    case SettingType::any:
      return "any";
    case SettingType::string:
      return "string";
    case SettingType::boolean:
      return "boolean";
    case SettingType::integer:
      return "integer";
    case SettingType::number:
      return "number";
    case SettingType::choice:
      return "choice";
    case SettingType::string_list:
      return "list of strings";
    case SettingType::string_map:
      return "object of strings";
    case SettingType::list:
      return "list";
    case SettingType::object:
      return "object";
  }
  return "any";
}

SettingSpec SettingSpec::string() && {
  type = SettingType::string;
  return std::move(*this);
}

SettingSpec SettingSpec::boolean() && {
  type = SettingType::boolean;
  return std::move(*this);
}

SettingSpec SettingSpec::integer(double min, double max) && {
  type = SettingType::integer;
  minimum = min;
  maximum = max;
  exclusive_minimum = false;
  return std::move(*this);
}

SettingSpec SettingSpec::number(double min, double max) && {
  type = SettingType::number;
  minimum = min;
  maximum = max;
  exclusive_minimum = false;
  return std::move(*this);
}

SettingSpec SettingSpec::number_above(double min) && {
  type = SettingType::number;
  minimum = min;
  exclusive_minimum = true;
  return std::move(*this);
}

SettingSpec SettingSpec::one_of(std::vector<std::string> words) && {
  type = SettingType::choice;
  choices = std::move(words);
  return std::move(*this);
}

SettingSpec SettingSpec::string_list() && {
  type = SettingType::string_list;
  return std::move(*this);
}

SettingSpec SettingSpec::string_map() && {
  type = SettingType::string_map;
  return std::move(*this);
}

SettingSpec SettingSpec::list() && {
  type = SettingType::list;
  return std::move(*this);
}

SettingSpec SettingSpec::object() && {
  type = SettingType::object;
  return std::move(*this);
}

SettingSpec SettingSpec::secret_string() && {
  type = SettingType::string;
  secret = true;
  return std::move(*this);
}

std::optional<std::string> SettingSpec::problem(const nlohmann::json& value) const {
  if (value.is_null()) {
    if (required) return std::string("is required and must not be null");
    return std::nullopt;
  }
  if (fits(*this, value)) return std::nullopt;
  std::string message = expectation(*this);
  // The value helps find the typo; a secret's value is never repeated.
  if (value.is_primitive()) {
    if (secret) return message;
    std::string shown = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
    return message + ", not " + shown;
  }
  const bool wants_container = type == SettingType::string_list ||
                               type == SettingType::string_map || type == SettingType::list ||
                               type == SettingType::object;
  if (!wants_container) message += value.is_array() ? ", not a list" : ", not an object";
  return message;
}

std::string SettingSpec::describe_type() const {
  const std::string range = range_text(*this);
  switch (type) {
    case SettingType::integer:
      return "whole number" + (range.empty() ? "" : ", " + range);
    case SettingType::number:
      return "number" + (range.empty() ? "" : ", " + range);
    case SettingType::choice:
      return "one of " + quoted_words(choices);
    default:
      return std::string(to_string(type));
  }
}

}  // namespace databus
