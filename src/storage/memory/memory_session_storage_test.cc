#include "storage/memory/memory_session_storage.h"

#include <gtest/gtest.h>

#include "databus/database_wrapper.h"
#include "storage/memory/memory_database.h"
#include "storage/session_storage_conformance.h"

namespace databus {

// One process: both "nodes" hold the same object.
INSTANTIATE_TEST_SUITE_P(Memory, SessionStorageConformanceTest,
                         testing::Values(SessionStorageEngine{
                             "memory",
                             [] {
                               auto one = std::make_shared<MemorySessionStorage>();
                               return SessionStorageNodes{one, one};
                             }}),
                         SessionStorageEngine::name_of);

namespace {

// An engine that offers a session storage, as a shared one does.
class SharingDatabase : public MemoryDatabase {
 public:
  SessionStorage* session_storage() override { return &sessions; }
  MemorySessionStorage sessions;
};

TEST(SessionStorageOfDatabases, EnginesOfOneProcessOfferNoneAndWrappersForward) {
  MemoryDatabase memory;
  EXPECT_EQ(memory.session_storage(), nullptr);
  EXPECT_EQ(DatabaseWrapper(memory).session_storage(), nullptr);

  SharingDatabase sharing;
  EXPECT_EQ(DatabaseWrapper(sharing).session_storage(), &sharing.sessions);
}

}  // namespace
}  // namespace databus
