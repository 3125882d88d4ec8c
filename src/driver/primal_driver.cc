#include "driver/primal_driver.h"

#include "driver/drive.h"

namespace databus {

void PrimalDriver::drive(const DriveRequest& request) {
  if (request.log == nullptr) return;  // Nowhere to report anything.
  try {
    if (request.database == nullptr || request.factories == nullptr) {
      request.log->error(kPrimalDriverModule, "drive of passenger " + request.passenger.name +
                                                  " of client '" + request.client_id +
                                                  "' has no database or factories");
      return;
    }
    Drive(request).run();
  } catch (...) {
    try {
      request.log->error(kPrimalDriverModule, "drive of passenger " + request.passenger.name +
                                                  " stopped: " + current_exception_message());
    } catch (...) {
      // Out of memory while reporting: nothing more can be done.
    }
  }
}

ComponentSpec primal_driver_spec() {
  ComponentSpec spec;
  spec.name = kPrimalDriverModule;
  spec.summary =
      "The standard driver: pull, seat, notify, process, push; every error logged and "
      "retried when due (backoff, then quarantine).";
  return spec;
}

std::unique_ptr<Driver> make_primal_driver() { return std::make_unique<PrimalDriver>(); }

}  // namespace databus
