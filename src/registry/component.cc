#include "databus/component.h"

#include "databus/database.h"
#include "databus/error.h"
#include "databus/uuid.h"

namespace databus {

DriveContext::DriveContext(std::string client_id, const ClientPassenger& passenger, Log& log,
                           std::function<Passenger()> make_passenger, const std::atomic<bool>* stop)
    : client_id_(std::move(client_id)),
      passenger_(&passenger),
      log_(&log),
      make_passenger_(std::move(make_passenger)),
      stop_(stop) {}

Passenger DriveContext::new_passenger(std::string external_id, std::string source_system,
                                      std::string puller_module) const {
  Passenger p = make_passenger_ ? make_passenger_() : Passenger{};
  if (p.passenger_module.empty()) p.passenger_module = passenger_->name;
  p.external_id = std::move(external_id);
  p.source_system = std::move(source_system);
  p.puller_module = std::move(puller_module);
  p.internal_id = new_uuid();
  // Microseconds: what passenger.json keeps, so a stored passenger reads back equal.
  p.pull_datetime = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  return p;
}

std::optional<std::string> DriveContext::read_state(const std::string& name) const {
  if (state_store_ == nullptr) return std::nullopt;
  return state_store_->read_passenger_state(client_id_, passenger_->name, name);
}

void DriveContext::write_state(const std::string& name,
                               const std::optional<std::string>& text) const {
  if (state_store_ == nullptr) {
    throw StateError("this drive keeps no state for passenger " + passenger_->name);
  }
  state_store_->write_passenger_state(client_id_, passenger_->name, name, text);
}

}  // namespace databus
