// The session storage conformance suite: one value-parameterised GoogleTest
// suite that every SessionStorage (include/databus/session_storage.h) must
// pass, against two handles on one fresh store, as two nodes sharing a
// database hold them (docs/architecture.md "Layers").
//
// To run it for a storage, link the `databus_storage_conformance` module
// into your test and instantiate it:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Memory, SessionStorageConformanceTest,
//       testing::Values(databus::SessionStorageEngine{"memory", [] {
//         auto one = std::make_shared<databus::MemorySessionStorage>();
//         return databus::SessionStorageNodes{one, one};
//       }}),
//       databus::SessionStorageEngine::name_of);
//
// A storage that needs a server may skip (GTEST_SKIP()) inside `open`.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "databus/session_storage.h"

namespace databus {

// Two handles on one store: what node A and node B use. A storage of one
// process gives the same object twice.
struct SessionStorageNodes {
  std::shared_ptr<SessionStorage> a;
  std::shared_ptr<SessionStorage> b;
};

struct SessionStorageEngine {
  std::string name;  // Shown in test names: letters, digits and '_' only.
  // Opens a fresh, empty store.
  std::function<SessionStorageNodes()> open;

  // For INSTANTIATE_TEST_SUITE_P's name generator.
  static std::string name_of(const testing::TestParamInfo<SessionStorageEngine>& info) {
    return info.param.name;
  }
};

inline std::ostream& operator<<(std::ostream& out, const SessionStorageEngine& engine) {
  return out << engine.name;
}

class SessionStorageConformanceTest : public testing::TestWithParam<SessionStorageEngine> {
 protected:
  void SetUp() override;

  SessionStorage& a() { return *nodes_.a; }
  SessionStorage& b() { return *nodes_.b; }

  SessionStorageNodes nodes_;
};

}  // namespace databus
