// The storage conformance suite: one value-parameterised GoogleTest suite that
// every Database engine must pass (docs/architecture.md "Layers"). It checks each promise of
// database.h against a fresh engine per test.
//
// To run it for an engine, link the `databus_storage_conformance` module into
// your test (databus_test(... MODULES databus_storage_conformance <yours>))
// and instantiate it in one of your test files:
//
//   #include "storage/database_conformance.h"
//
//   INSTANTIATE_TEST_SUITE_P(
//       Sqlite, DatabaseConformanceTest,
//       testing::Values(databus::ConformanceEngine{
//           "sqlite", [](const std::filesystem::path& dir) {
//             return databus::open_sqlite_database({dir, {}});
//           }}),
//       databus::ConformanceEngine::name_of);
//
// An engine that needs a server may skip (GTEST_SKIP()) inside `open` when
// the server is unreachable.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "databus/database.h"

namespace databus {

struct ConformanceEngine {
  std::string name;  // Shown in test names: letters, digits and '_' only.
  // Opens a fresh, empty engine whose files (if any) live under `dir`, an
  // empty directory the suite creates for the test and removes after it.
  std::function<std::unique_ptr<Database>(const std::filesystem::path& dir)> open;

  // For INSTANTIATE_TEST_SUITE_P's name generator.
  static std::string name_of(const testing::TestParamInfo<ConformanceEngine>& info) {
    return info.param.name;
  }
};

inline std::ostream& operator<<(std::ostream& out, const ConformanceEngine& engine) {
  return out << engine.name;
}

class DatabaseConformanceTest : public testing::TestWithParam<ConformanceEngine> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens another engine on the same directory (after the first is closed
  // with `db_.reset()`), for engines that persist.
  std::unique_ptr<Database> reopen();

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace databus
