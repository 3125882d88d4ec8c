#include "components/alert/alert_passenger.h"

namespace databus {

void register_alert_passenger(Registry& registry) {
  registry.add_passenger(ComponentSpec{
      kAlertPassengerModule,
      "An alert about a client passenger: a quarantined step, a failing or stale puller, or one "
      "that recovered. Attachments alert.txt (for a person) and alert.json (for a program).",
      {},
      {}});
}

}  // namespace databus
