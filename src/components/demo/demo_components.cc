#include "components/demo/demo_components.h"

namespace databus {

void register_demo_components(Registry& registry) {
  registry.add_passenger(ComponentSpec{"databus.passenger.demo.demo_passenger_1",
                                       "Demo passenger type 1 (pullers 1 and 3).",
                                       {},
                                       {}});
  registry.add_passenger(ComponentSpec{
      "databus.passenger.demo.demo_passenger_2", "Demo passenger type 2 (puller 2).", {}, {}});
  registry.add_passenger(ComponentSpec{"databus.passenger.demo.demo_binary_passenger",
                                       "Demo passenger type with a binary attachment.",
                                       {},
                                       {}});
  demo_internal::register_demo_pullers(registry);
  demo_internal::register_demo_steps(registry);
}

}  // namespace databus
