// databus.passenger.generic: the passenger type for data that needs no code
// of its own (orders, files, messages fetched by the ready-made connectors).
#pragma once

#include "databus/registry.h"

namespace databus {

inline constexpr char kGenericPassengerModule[] = "databus.passenger.generic";

// Registers databus.passenger.generic as a family: a client names its flows
// "databus.passenger.generic.orders", "databus.passenger.generic.invoices",
// ... and each is its own client passenger with its own queue, schedule and
// steps, while the plain name serves a client with one flow.
void register_generic_passenger(Registry& registry);

}  // namespace databus
