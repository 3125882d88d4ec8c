#include "driver/puller_health_recorder.h"

#include <exception>
#include <stdexcept>

namespace databus {

PullerHealthRecorder::PullerHealthRecorder(Database& database, const std::string& client_id,
                                           const ClientPassenger& passenger,
                                           DispatcherObserver* observer,
                                           std::function<void(std::string)> warn)
    : database_(database),
      client_id_(client_id),
      passenger_(passenger),
      observer_(observer),
      warn_(std::move(warn)) {}

void PullerHealthRecorder::begin(TimePoint now) {
  try {
    const std::optional<std::string> text =
        database_.read_passenger_state(client_id_, passenger_.name, kPullerHealthState);
    if (text) stored_ = decode_puller_health(*text);
  } catch (const std::exception& e) {
    readable_ = false;
    warn_("cannot read the health of the pullers of " + passenger_.name + ": " + e.what() +
          "; this drive's pulls are not recorded");
  }
  // Only the pullers the configuration lists now.
  for (const ComponentRef& ref : passenger_.pullers) {
    auto it = stored_.find(ref.module);
    health_[ref.module] = it == stored_.end() ? PullerHealth{} : it->second;
  }
}

void PullerHealthRecorder::record(const std::string& module, TimePoint now,
                                  const std::string& error) {
  health_[module].record(now, error);
}

void PullerHealthRecorder::finish(TimePoint now) {
  if (!readable_ || health_.empty()) return;
  bool changed = stored_.size() != health_.size();
  for (const auto& [module, h] : health_) {
    auto before = stored_.find(module);
    if (before == stored_.end()) {
      changed = true;
      continue;
    }
    const PullerHealth& b = before->second;
    changed = changed || b.consecutive_failures != h.consecutive_failures ||
              b.last_error != h.last_error || h.last_success - b.last_success >= kRefreshSuccess;
  }
  if (!changed) return;
  try {
    // Unsynced: a power loss may cost the last record, never a drive's sync.
    database_.write_passenger_state_unsynced(client_id_, passenger_.name, kPullerHealthState,
                                             encode_puller_health(health_));
  } catch (const std::exception& e) {
    warn_("cannot record the health of the pullers of " + passenger_.name + ": " + e.what());
    return;
  }
  if (observer_ == nullptr) return;
  const Clock::duration interval = passenger_.drive_interval();
  for (const auto& [module, h] : health_) {
    auto before = stored_.find(module);
    const PullerHealth::State was = before == stored_.end() ? PullerHealth::State::unknown
                                                            : before->second.state(now, interval);
    const PullerHealth::State is = h.state(now, interval);
    if (was != is)
      observer_->puller_health_changed(client_id_, passenger_.name, module, h, was, is);
  }
}

}  // namespace databus
