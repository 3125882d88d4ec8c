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

UnknownModuleError::UnknownModuleError(const std::string& kind, const std::string& name)
    : Error("unknown " + kind + " module '" + name + "'"), name_(name) {}

CorruptDataError::CorruptDataError(std::string path, const std::string& message)
    : StorageError(path + ": " + message), path_(std::move(path)) {}

}  // namespace databus
