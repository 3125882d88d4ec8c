// The dashboard (service.h "Dashboard", docs/operations.md "Monitoring"):
// each client passenger's flow with the entries waiting at each step, its
// last 24 hours from the store's flow history, and the live tail of the
// node's running drives.

#include <algorithm>

#include "databus/flow_history.h"
#include "web/service.h"

namespace databus::web::service {
namespace {

// Entries read to count the steps of one passenger type; more are counted
// in the queue's totals but not per step ("capped").
constexpr std::size_t kCountedEntries = 5000;

json step(const char* kind, const std::string& module) {
  return json{
      {"kind", kind}, {"module", module}, {"waiting", 0}, {"failing", 0}, {"quarantined", 0}};
}

void count_step(json& box, const StepState& s) {
  box["waiting"] = box["waiting"].get<std::int64_t>() + 1;
  if (s.quarantined) {
    box["quarantined"] = box["quarantined"].get<std::int64_t>() + 1;
  } else if (s.attempts > 0) {
    box["failing"] = box["failing"].get<std::int64_t>() + 1;
  }
}

// The boxes of the flow: pullers (entries whose puller was not told yet),
// the queue, then each processor and pusher with the entries waiting at it
// (a pusher's only once every processor is complete).
json flow(Database& db, const std::string& client_id, const ClientPassenger& p) {
  json steps = json::array();
  for (const ComponentRef& r : p.pullers) steps.push_back(step("puller", r.module));
  const std::vector<std::string> processors = p.processor_modules();
  const std::vector<std::string> pushers = p.pusher_modules();
  for (const std::string& m : processors) steps.push_back(step("processor", m));
  for (const std::string& m : pushers) steps.push_back(step("pusher", m));
  auto box = [&steps](const char* kind, const std::string& module) -> json* {
    for (json& s : steps) {
      if (s["kind"] == kind && s["module"] == module) return &s;
    }
    return nullptr;
  };
  EntryQuery q;
  q.passenger_module = p.name;
  q.filter = EntryFilter::incomplete;
  q.limit = kCountedEntries;
  q.with_attachments = false;
  q.with_attachment_names = false;
  const std::vector<QueueEntry> entries = db.query_entries(client_id, q);
  for (const QueueEntry& e : entries) {
    if (!e.puller_notified) {
      if (json* b = box("puller", e.passenger.puller_module)) {
        b->at("waiting") = b->at("waiting").get<std::int64_t>() + 1;
      }
    }
    const bool processed = e.processors_complete();
    for (const StepState& s : e.processor_statuses) {
      if (s.status == StepStatus::complete) continue;
      if (json* b = box("processor", s.module)) count_step(*b, s);
    }
    if (!processed) continue;
    for (const StepState& s : e.pusher_statuses) {
      if (s.status == StepStatus::complete) continue;
      if (json* b = box("pusher", s.module)) count_step(*b, s);
    }
  }
  EntryQuery counts;
  counts.passenger_module = p.name;
  json queue{{"kind", "queue"}, {"module", p.queue.module}};
  for (const auto& [name, filter] : {std::pair{"waiting", EntryFilter::incomplete},
                                     {"failing", EntryFilter::failing},
                                     {"quarantined", EntryFilter::quarantined}}) {
    counts.filter = filter;
    queue[name] = db.count_entries(client_id, counts);
  }
  return json{{"steps", std::move(steps)},
              {"queue", std::move(queue)},
              {"capped", entries.size() >= kCountedEntries}};
}

// The last 24 hours before `now` in 144 buckets of 10 minutes, oldest first.
json history(Database& db, const std::string& client_id, const std::string& passenger,
             TimePoint now) {
  constexpr int kBuckets = 144;
  constexpr auto kBucket = std::chrono::minutes(10);
  const TimePoint end = flow_minute_of(now) + std::chrono::minutes(1);
  const TimePoint start = end - kBucket * kBuckets;
  std::vector<FlowCounts> buckets(kBuckets);
  for (const auto& [minute, counts] : db.read_flow_counts(client_id, passenger, start)) {
    const auto index = (minute - start) / kBucket;
    if (index >= 0 && index < kBuckets) buckets[static_cast<std::size_t>(index)] += counts;
  }
  json out = json::array();
  for (int i = 0; i < kBuckets; ++i) {
    const FlowCounts& c = buckets[static_cast<std::size_t>(i)];
    out.push_back({{"start", to_iso(start + kBucket * i)},
                   {"pulled", c.pulled},
                   {"pushed", c.pushed},
                   {"failed", c.failed},
                   {"drives", c.drives},
                   {"average_drive_seconds",
                    c.drives > 0 ? static_cast<double>(c.drive_ms) / 1000.0 / c.drives : 0.0}});
  }
  return json{{"bucket_minutes", 10}, {"buckets", std::move(out)}};
}

}  // namespace

json dashboard(WebState& state, const std::string& client_id, TimePoint now) {
  const ClientConfig config = load_client_config(state, client_id);
  Database& db = state.dispatcher.database();
  json passengers = json::array();
  for (const ClientPassenger& p : config.passengers) {
    json item = flow(db, client_id, p);
    item["passenger"] = p.name;
    item["history"] = history(db, client_id, p.name, now);
    passengers.push_back(std::move(item));
  }
  return json{
      {"client_id", client_id}, {"now", to_iso(now)}, {"passengers", std::move(passengers)}};
}

json tail(WebState& state, const std::string& client_id, std::uint64_t after) {
  load_client_config(state, client_id);  // 404 for an unknown client.
  json lines = json::array();
  std::uint64_t last = after;
  for (const TailLine& l : state.dispatcher.tail_lines(client_id, after)) {
    lines.push_back({{"seq", l.seq},
                     {"time", to_iso(l.entry.time)},
                     {"passenger", l.passenger},
                     {"log_guid", l.log_guid},
                     {"source", l.entry.source},
                     {"type", std::string(to_string(l.entry.type))},
                     {"message", l.entry.message}});
    last = l.seq;
  }
  return json{{"client_id", client_id}, {"last", last}, {"lines", std::move(lines)}};
}

}  // namespace databus::web::service
