// For tests only: the PostgreSQL server that ctest starts around the tests
// that need one (scripts/pg-test-server.sh, fixture `databus_postgresql`).
// ctest passes DATABUS_PG_TEST_DIR; the script wrote <dir>/conninfo there.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "databus/database.h"

namespace databus::testing_support {

// The connection string of the test server, or nothing when the tests run
// outside ctest (no DATABUS_PG_TEST_DIR): callers skip then. Under ctest a
// missing file is a failure of the fixture, which ctest reports itself.
inline std::optional<std::string> pg_test_conninfo() {
  const char* dir = std::getenv("DATABUS_PG_TEST_DIR");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  std::ifstream in(std::filesystem::path(dir) / "conninfo");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return line;
}

// Engine arguments for a schema of its own, named after `tag` (letters,
// digits and '_' kept, lower case), so that tests do not see each other.
inline DatabaseArguments pg_test_arguments(const std::string& conninfo, const std::string& tag) {
  std::string schema = "t_";
  for (char c : tag) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    const bool upper = c >= 'A' && c <= 'Z';
    schema += keep ? c : upper ? static_cast<char>(c - 'A' + 'a') : '_';
  }
  return {{"conninfo", conninfo}, {"schema", schema.substr(0, 63)}};
}

}  // namespace databus::testing_support
