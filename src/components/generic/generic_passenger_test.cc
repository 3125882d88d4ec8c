#include "components/generic/generic_passenger.h"

#include <gtest/gtest.h>

#include "databus/builtins.h"
#include "databus/error.h"

namespace databus {
namespace {

TEST(GenericPassengerTest, EachFlowIsItsOwnPassengerModule) {
  Registry registry;
  register_generic_passenger(registry);
  EXPECT_EQ(registry.make_passenger("databus.passenger.generic").passenger_module,
            "databus.passenger.generic");
  EXPECT_EQ(registry.make_passenger("databus.passenger.generic.orders").passenger_module,
            "databus.passenger.generic.orders");
  const ComponentSpec* spec =
      registry.find(ComponentKind::passenger, "databus.passenger.generic.a.b");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->name, "databus.passenger.generic");
}

TEST(GenericPassengerTest, OnlyDottedSuffixesBelongToTheFamily) {
  Registry registry;
  register_generic_passenger(registry);
  for (const char* name : {"databus.passenger.genericx", "databus.passenger.generic.",
                           "databus.passenger", "generic"}) {
    EXPECT_EQ(registry.find(ComponentKind::passenger, name), nullptr) << name;
    EXPECT_THROW(registry.make_passenger(name), UnknownModuleError) << name;
  }
  // Families are a passenger matter: other kinds never match by prefix.
  EXPECT_EQ(registry.find(ComponentKind::puller, "databus.passenger.generic.orders"), nullptr);
}

TEST(GenericPassengerTest, IsBuiltIn) {
  auto registry = builtin_registry();
  EXPECT_NE(registry->find(ComponentKind::passenger, "databus.passenger.generic.orders"), nullptr);
}

}  // namespace
}  // namespace databus
