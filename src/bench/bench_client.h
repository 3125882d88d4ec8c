// The bench's own client: its one client passenger (the synthetic puller,
// processors and pushers of synthetic_components.h), its configuration, and
// queue entries made straight for it (preloads, floors) without a drive.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "databus/client.h"
#include "databus/queue_entry.h"
#include "databus/time.h"

namespace databus::bench {

// The client passenger of the workloads: the synthetic puller, `processors`
// synthetic processors and `pushers` pushers; with `outbox` set, the pushers
// are directory pushers writing below it.
ClientPassenger bench_client_passenger(int processors, int pushers,
                                       const std::filesystem::path& outbox = {});

// The config.json text of client `id` with the one client passenger
// `passenger` (logs kept a day).
std::string client_config_text(const std::string& id, const ClientPassenger& passenger);

// The entry the queue seats for synthetic passenger number `index` of
// `passenger` (a fresh internal id, external id `external_id`, pulled `now`,
// one text attachment "body.txt" of `attachment_bytes` bytes): every step
// incomplete, its puller already notified, as the webhook inbox stores it.
QueueEntry synthetic_entry(const ClientPassenger& passenger, std::string external_id,
                           std::size_t index, std::size_t attachment_bytes, TimePoint now);

}  // namespace databus::bench
