#include "databus/error.h"

namespace databus {
namespace {

std::string config_message(const std::string& where, const std::string& field,
                           const std::string& message) {
  std::string text = where;
  if (!field.empty()) text += (text.empty() ? "" : ": ") + std::string("field '") + field + "'";
  if (!text.empty()) text += ": ";
  return text + message;
}

}  // namespace

ConfigError::ConfigError(std::string where, std::string field, const std::string& message)
    : Error(config_message(where, field, message)),
      where_(std::move(where)),
      field_(std::move(field)) {}

namespace {

std::string joined_messages(const std::vector<ConfigError>& problems) {
  std::string text;
  for (const ConfigError& p : problems) {
    if (!text.empty()) text += "\n";
    text += p.what();
  }
  return text;
}

}  // namespace

ConfigProblems::ConfigProblems(std::vector<ConfigError> problems)
    : ConfigError(problems.front(), joined_messages(problems)), problems_(std::move(problems)) {}

void throw_config_problems(std::vector<ConfigError> problems) {
  if (problems.empty()) return;
  if (problems.size() == 1) throw ConfigError(std::move(problems.front()));
  throw ConfigProblems(std::move(problems));
}

std::vector<ConfigError> single_problems(const ConfigError& e) {
  if (const auto* many = dynamic_cast<const ConfigProblems*>(&e)) return many->problems();
  return {e};
}

ConfigError::ConfigError(const ConfigError& first, const std::string& text)
    : Error(text), where_(first.where_), field_(first.field_) {}

UnknownModuleError::UnknownModuleError(const std::string& kind, const std::string& name)
    : Error("unknown " + kind + " module '" + name + "'"), name_(name) {}

CorruptDataError::CorruptDataError(std::string path, const std::string& message)
    : StorageError(path + ": " + message), path_(std::move(path)) {}

}  // namespace databus
