#include "databus/builtins.h"

#include <gtest/gtest.h>

#include "databus/client.h"
#include "databus/error.h"

namespace databus {
namespace {

TEST(BuiltinsTest, RegistersTheEnginesQueueAndDriver) {
  std::shared_ptr<Registry> registry = builtin_registry();
  ASSERT_NE(registry, nullptr);
  EXPECT_NE(registry->find(ComponentKind::database, "json_db"), nullptr);
  EXPECT_NE(registry->find(ComponentKind::database, "memory"), nullptr);
  EXPECT_NE(registry->find(ComponentKind::queue, "databus.pqueue.primal_queue"), nullptr);
  EXPECT_NE(registry->find(ComponentKind::driver, "databus.driver.primal_driver"), nullptr);
  EXPECT_NE(registry->find(ComponentKind::puller, "databus.puller.directory"), nullptr);
  EXPECT_NE(registry->find(ComponentKind::pusher, "databus.pusher.directory"), nullptr);
}

TEST(BuiltinsTest, KnowsEveryModuleOfTheDemoClient) {
  std::shared_ptr<Registry> registry = builtin_registry();
  for (const ClientPassenger& p : demo_client_config().passengers) {
    EXPECT_NE(registry->find(ComponentKind::passenger, p.name), nullptr) << p.name;
    EXPECT_NE(registry->find(ComponentKind::queue, p.queue.module), nullptr) << p.queue.module;
    for (const ComponentRef& r : p.pullers) {
      EXPECT_NE(registry->find(ComponentKind::puller, r.module), nullptr) << r.module;
    }
    for (const ComponentRef& r : p.processors) {
      EXPECT_NE(registry->find(ComponentKind::processor, r.module), nullptr) << r.module;
    }
    for (const ComponentRef& r : p.pushers) {
      EXPECT_NE(registry->find(ComponentKind::pusher, r.module), nullptr) << r.module;
    }
  }
}

TEST(BuiltinsTest, EverySettingOfAComponentDeclaresItsTypeAndItsDefaultFits) {
  std::shared_ptr<Registry> registry = builtin_registry();
  for (ComponentKind kind : {ComponentKind::puller, ComponentKind::processor, ComponentKind::pusher,
                             ComponentKind::queue}) {
    for (const ComponentSpec* spec : registry->list(kind)) {
      for (const SettingSpec& s : spec->settings) {
        EXPECT_NE(s.type, SettingType::any) << spec->name << " " << s.key;
        if (!s.required) {
          EXPECT_EQ(s.problem(s.default_value), std::nullopt) << spec->name << " " << s.key;
        }
      }
    }
  }
}

TEST(BuiltinsTest, PortsAndTimeoutsAreChecked) {
  std::shared_ptr<Registry> registry = builtin_registry();
  for (const char* pusher : {"databus.pusher.smtp", "databus.pusher.http"}) {
    for (const SettingSpec& s : registry->find(ComponentKind::pusher, pusher)->settings) {
      if (s.key == "port") {
        EXPECT_TRUE(s.problem(99999).has_value()) << pusher;
        EXPECT_EQ(s.problem(587), std::nullopt) << pusher;
      }
      if (s.key == "timeout_seconds") {
        EXPECT_TRUE(s.problem(0).has_value()) << pusher;
        EXPECT_EQ(s.problem(0.5), std::nullopt) << pusher;
      }
    }
  }
}

TEST(BuiltinsTest, RegisteringTwiceIntoOneRegistryIsRefused) {
  Registry registry;
  register_builtins(registry);
  EXPECT_THROW(register_builtins(registry), Error);
}

}  // namespace
}  // namespace databus
