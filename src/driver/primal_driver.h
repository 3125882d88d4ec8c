// The primal driver ("databus.driver.primal_driver"): one drive of one client
// passenger, the transport algorithm of docs/architecture.md "The transport algorithm".
#pragma once

#include <memory>

#include "databus/driver.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kPrimalDriverModule[] = "databus.driver.primal_driver";

// Steps, in this order; every error is written to the drive's log naming the
// module and passenger, and what failed is retried when its next attempt is
// due (retry.h; quarantined after its last attempt):
//  0. report the database's malformed stored items of the client;
//  1. pull from each puller in config order (a puller that cannot be made or
//     fails does not stop the others);
//  2. seat what was pulled (one batch, durable before anything else);
//  3. notify each puller about all its seated, not yet notified entries
//     (also those of earlier drives that ended before notifying);
//  4. process every entry awaiting processing: each incomplete processor in
//     status order on a copy of the entry; a failure keeps the original,
//     counts the attempt and skips the entry's later processors;
//  5. push every entry awaiting push: each incomplete pusher likewise (a
//     failing pusher does not stop the entry's other pushers).
// Every status change is saved at once. request.stop is checked between
// pullers and between entries; the drive ends early when it is set.
// Stateless; drive() may run on several threads for different requests.
class PrimalDriver : public Driver {
 public:
  // Never throws.
  void drive(const DriveRequest& request) override;
};

ComponentSpec primal_driver_spec();
std::unique_ptr<Driver> make_primal_driver();

}  // namespace databus
