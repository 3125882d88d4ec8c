#include "bench/inbox_workload.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>
#include <stdexcept>
#include <utility>

#include "bench/bench_client.h"
#include "bench/fresh_store.h"
#include "bench/synthetic_components.h"
#include "databus/builtins.h"
#include "databus/dispatcher.h"
#include "databus/web_server.h"

namespace databus::bench {
namespace {

constexpr char kInboxSource[] = "bench-inbox";
constexpr char kHealthz[] = "/healthz";
// Accepted ids are looked up in batches of this many (one round trip each
// on a server engine).
constexpr std::size_t kLookupBatch = 5000;

void check(const InboxOptions& o) {
  if (o.senders == 0) throw std::invalid_argument("--senders must be at least 1");
  if (o.requests == 0 && !(o.seconds > 0)) {
    throw std::invalid_argument("--workload inbox needs --requests or --seconds above 0");
  }
  if (o.body_bytes < 64) throw std::invalid_argument("--attachment-bytes must be at least 64");
}

std::string external_id(std::size_t sequence) { return "inbox-" + std::to_string(sequence); }

// A JSON object of exactly `bytes` bytes naming the order `id`.
std::string json_body(const std::string& id, std::size_t bytes) {
  std::string body = R"({"order":")" + id + R"(","note":")";
  body.append(bytes > body.size() + 2 ? bytes - body.size() - 2 : 0, 'x');
  body += "\"}";
  return body;
}

// The bench client's one passenger type: the webhook puller with `token`,
// no processor, the synthetic pusher (never run: no drive runs).
ClientPassenger inbox_client_passenger(const std::string& token, std::size_t body_bytes) {
  ClientPassenger p = bench_client_passenger(0, 1);
  p.pullers = {ComponentRef{"databus.puller.webhook",
                            {{"token", token},
                             {"source_system", kInboxSource},
                             {"max_body_bytes", std::max<std::size_t>(body_bytes, 1024)}}}};
  return p;
}

LoadOptions load_options(const InboxOptions& o, int port) {
  LoadOptions load;
  load.port = port;
  load.senders = o.senders;
  load.requests = o.requests;
  load.duration = std::chrono::milliseconds(static_cast<long long>(o.seconds * 1000));
  return load;
}

// Counts the accepted ids of `inbox` that `database` does not hold.
std::size_t count_missing(Database& database, const std::string& client_id,
                          const LoadResult& inbox) {
  std::vector<DedupKey> keys;
  for (const auto& [sequence, status] : inbox.outcomes) {
    if (status == 202) keys.push_back(DedupKey{kInboxSource, external_id(sequence)});
  }
  std::size_t found = 0;
  for (std::size_t at = 0; at < keys.size(); at += kLookupBatch) {
    const std::span<const DedupKey> batch(keys.data() + at,
                                          std::min(kLookupBatch, keys.size() - at));
    found += database.find_entries(client_id, kBenchPassenger, batch).size();
  }
  return keys.size() - found;
}

std::string load_line(const std::string& engine, const char* workload, const LoadResult& r) {
  char numbers[160];
  std::snprintf(numbers, sizeof numbers,
                " senders=%zu requests=%zu seconds=%.3f rate=%.0f/s p50_ms=%.2f p99_ms=%.2f",
                r.senders, r.requests(), r.seconds, r.rate(), r.p50_ms, r.p99_ms);
  return "engine=" + engine + " workload=" + workload + numbers;
}

std::string ratio(double part, double whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", whole > 0 ? part / whole : 0.0);
  return text;
}

}  // namespace

std::vector<std::string> InboxResult::lines() const {
  std::vector<std::string> out;
  out.push_back(load_line(engine, "healthz", healthz) +
                " ok=" + std::to_string(healthz.count(200)));
  out.push_back(load_line(engine, "inbox", inbox) + " accepted=" + std::to_string(accepted) +
                " stored=" + std::to_string(stored) + " missing=" + std::to_string(missing));
  std::string ratios = "engine=" + engine +
                       " workload=inbox senders=" + std::to_string(inbox.senders) +
                       " of_healthz=" + ratio(inbox.rate(), healthz.rate());
  if (floor) {
    out.push_back(floor->line());
    ratios += " of_floor=" + ratio(inbox.rate(), floor->rate());
  }
  out.push_back(ratios);
  return out;
}

InboxResult run_inbox_workload(const InboxOptions& options) {
  check(options);
  InboxResult result;
  result.engine = options.database;
  {
    const FreshStore store(options.database, options.database_arguments);
    std::shared_ptr<Registry> registry = builtin_registry();
    register_synthetic_components(*registry, std::make_shared<SyntheticSource>(), 0, 1);
    DispatcherTicket ticket;
    ticket.registry = registry;
    ticket.database_module = options.database;
    ticket.database_arguments = store.arguments();
    ticket.data_dir = store.data_dir();
    ticket.run_web_server = false;
    ticket.create_default_clients = false;
    ticket.workers = 1;
    Dispatcher dispatcher(std::move(ticket));

    const std::string client_id = fresh_name("bench-");
    const std::string token = fresh_name("token-") + fresh_name("");
    const ClientPassenger passenger = inbox_client_passenger(token, options.body_bytes);
    dispatcher.database().write_client_config_text(client_id,
                                                   client_config_text(client_id, passenger));

    WebServerOptions web;
    web.port = 0;
    web.error_log = [](const std::string& line) {
      std::fprintf(stderr, "databus bench: server error: %s\n", line.c_str());
    };
    WebServer server(dispatcher, web);
    server.start();

    LoadOptions healthz = load_options(options, server.port());
    healthz.request = [](std::size_t) { return LoadRequest{kHealthz, {}, "", ""}; };
    result.healthz = run_load(healthz);

    const std::string path = "/api/v1/inbox/" + client_id + "/" + passenger.name;
    LoadOptions inbox = load_options(options, server.port());
    inbox.request = [&](std::size_t sequence) {
      const std::string id = external_id(sequence);
      return LoadRequest{path,
                         {{"Authorization", "Bearer " + token}, {"X-External-Id", id}},
                         json_body(id, options.body_bytes),
                         "application/json"};
    };
    result.inbox = run_load(inbox);
    server.stop();

    Database& database = dispatcher.database();
    result.accepted = result.inbox.count(202);
    EntryQuery all;
    all.passenger_module = passenger.name;
    result.stored = database.count_entries(client_id, all);
    result.missing = count_missing(database, client_id, result.inbox);
  }
  if (options.floor && has_floor(options.database)) {
    FloorOptions floor;
    floor.database = options.database;
    floor.database_arguments = options.database_arguments;
    floor.passengers = std::max<std::size_t>(result.accepted, 1);
    floor.attachment_bytes = options.body_bytes;
    floor.processors = 0;
    floor.pushers = 1;
    result.floor = run_floor(floor);
  }
  return result;
}

}  // namespace databus::bench
