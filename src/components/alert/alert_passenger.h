// databus.passenger.alert: the passenger type of the alerts the dispatcher
// sends to a client's alert pushers (docs/configuration.md "Alerts"). An
// alert passenger carries alert.txt (a line or two for a person) and
// alert.json (the event for a program); it is pushed directly, never queued.
#pragma once

#include "databus/registry.h"

namespace databus {

inline constexpr char kAlertPassengerModule[] = "databus.passenger.alert";
// The source system of every alert passenger.
inline constexpr char kAlertSourceSystem[] = "DATABUS";

void register_alert_passenger(Registry& registry);

}  // namespace databus
