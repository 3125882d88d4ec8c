#include "components/generic/generic_passenger.h"

namespace databus {

void register_generic_passenger(Registry& registry) {
  ComponentSpec spec{kGenericPassengerModule,
                     "Any passenger: the fields and attachments its puller gives it. "
                     "\"databus.passenger.generic.<flow>\" names one flow of many.",
                     {},
                     {}};
  spec.family = true;
  registry.add_passenger(std::move(spec));
}

}  // namespace databus
