// `databus check --config FILE|-`: a client configuration file checked
// without a store, against the registry's component specs
// (docs/configuration.md, "Checking a file before deploying it").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "databus/registry.h"

namespace databus::cli {

// A `${env:NAME}` reference found in a configuration.
struct EnvReference {
  std::string path;  // JSON path of the string holding it, e.g. "passengers[0].pushers[1].token".
  std::string name;  // The variable.
};

struct ConfigLint {
  // One line per problem, "<source>: ..."; a JSON syntax error is
  // "<source>:LINE:COLUMN: malformed JSON: <reason>".
  std::vector<std::string> problems;
  // Every reference, in document order; none are resolved.
  std::vector<EnvReference> env_references;
};

// Checks `text` as a client's config.json: JSON syntax (with line and
// column), the structure ClientConfig::parse() reads, every module known to
// `registry`, every setting known, of its type and within its range.
// `${env:NAME}` references are listed, not resolved (Registry::EnvReferences::keep).
// `source` names the file in messages ("-" for stdin is shown as "<stdin>").
ConfigLint lint_client_config(const Registry& registry, std::string_view text,
                              const std::string& source);

}  // namespace databus::cli
