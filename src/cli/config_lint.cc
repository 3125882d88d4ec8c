#include "cli/config_lint.h"

#include <algorithm>
#include <regex>

#include "databus/client.h"
#include "databus/error.h"

namespace databus::cli {
namespace {

using nlohmann::json;

// "LINE:COLUMN" of the byte at 1-based offset `byte` (nlohmann's
// parse_error::byte: the last byte read), both counted from 1.
std::string line_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// nlohmann's message without its "[json.exception...] parse error at line L,
// column C: " prefix, which the caller states its own way.
std::string reason(const std::string& what) {
  const std::size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

void collect_references(const json& value, const std::string& path,
                        std::vector<EnvReference>& out) {
  static const std::regex kReference(R"(\$\{env:([A-Za-z_][A-Za-z0-9_]*)\})");
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    for (std::sregex_iterator it(text.begin(), text.end(), kReference), end; it != end; ++it) {
      out.push_back({path, (*it)[1].str()});
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      collect_references(value[i], path + "[" + std::to_string(i) + "]", out);
    }
  } else if (value.is_object()) {
    for (const auto& item : value.items()) {
      collect_references(item.value(), path.empty() ? item.key() : path + "." + item.key(), out);
    }
  }
}

}  // namespace

ConfigLint lint_client_config(const Registry& registry, std::string_view text,
                              const std::string& source) {
  ConfigLint lint;
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    lint.problems.push_back(source + ":" + line_column(text, e.byte) +
                            ": malformed JSON: " + reason(e.what()));
    return lint;
  } catch (const json::exception& e) {  // E.g. a number too large for a double.
    lint.problems.push_back(source + ": malformed JSON: " + reason(e.what()));
    return lint;
  }
  collect_references(document, "", lint.env_references);
  std::vector<ConfigError> found;
  const ClientConfig config = ClientConfig::parse("lint", text, source, found);
  for (const ConfigError& e :
       registry.check_client(config, source, Registry::EnvReferences::keep)) {
    found.push_back(e);
  }
  for (const ConfigError& e : found) lint.problems.push_back(e.what());
  return lint;
}

}  // namespace databus::cli
