#include "bench/bench_client.h"

#include <utility>
#include <vector>

#include "bench/synthetic_components.h"
#include "databus/uuid.h"

namespace databus::bench {

ClientPassenger bench_client_passenger(int processors, int pushers,
                                       const std::filesystem::path& outbox) {
  ClientPassenger p;
  p.name = kBenchPassenger;
  p.pullers = {ComponentRef{kBenchPuller}};
  for (int i = 1; i <= processors; ++i) p.processors.push_back(ComponentRef{bench_processor(i)});
  for (int i = 1; i <= pushers; ++i) {
    if (outbox.empty()) {
      p.pushers.push_back(ComponentRef{bench_pusher(i)});
    } else {
      p.pushers.push_back(ComponentRef{"databus.pusher.directory",
                                       {{"path", (outbox / std::to_string(i)).string()}}});
    }
  }
  return p;
}

std::string client_config_text(const std::string& id, const ClientPassenger& passenger) {
  ClientConfig config;
  config.id = id;
  config.log_life_span = 1;
  config.passengers = {passenger};
  return config.to_json().dump(2);
}

QueueEntry synthetic_entry(const ClientPassenger& passenger, std::string external_id,
                           std::size_t index, std::size_t attachment_bytes, TimePoint now) {
  Passenger p;
  p.internal_id = new_uuid();
  p.external_id = std::move(external_id);
  p.source_system = kBenchSourceSystem;
  p.passenger_module = passenger.name;
  p.puller_module = kBenchPuller;
  p.pull_datetime = now;
  p.add_attachment("body.txt", AttachmentFormat::text, synthetic_text(index, attachment_bytes));
  QueueEntry entry =
      QueueEntry::seat(std::move(p), passenger.processor_modules(), passenger.pusher_modules());
  entry.puller_notified = true;
  return entry;
}

}  // namespace databus::bench
