// Puller health for the Passengers page and GET /api/v1/health (service.h,
// docs/configuration.md "Puller health").

#include <algorithm>
#include <set>
#include <stdexcept>

#include "databus/error.h"
#include "databus/puller_health.h"
#include "logging/process_log.h"
#include "web/service.h"

namespace databus::web::service {
namespace {

// Said instead of a store's own message, which may name files or servers
// (docs/security.md "Errors and redirects").
constexpr char kUnreadable[] =
    "the puller health record cannot be read; the details are in the server's log";

long long seconds(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

json time_or_null(TimePoint t) { return t == TimePoint{} ? json() : json(to_iso(t)); }

json puller_json(const std::string& module, const PullerHealth& h, TimePoint now,
                 Clock::duration interval) {
  return json{{"module", module},
              {"state", std::string(to_string(h.state(now, interval)))},
              {"last_attempt", time_or_null(h.last_attempt)},
              {"last_success", time_or_null(h.last_success)},
              {"first_failure", time_or_null(h.first_failure)},
              {"consecutive_failures", h.consecutive_failures},
              {"last_error", h.last_error.empty() ? json() : json(h.last_error)}};
}

// The stored health of the passenger's pullers; throws std::invalid_argument
// with a message fit for the caller when it cannot be read.
PullerHealthMap read_health(Database& db, const std::string& client_id,
                            const std::string& passenger) {
  std::optional<std::string> text;
  try {
    text = db.read_passenger_state(client_id, passenger, kPullerHealthState);
  } catch (const std::exception& e) {
    process_log::warning("web") << "the puller health of " << passenger << " in client '"
                                << client_id << "' cannot be read: " << e.what();
    throw std::invalid_argument(kUnreadable);
  }
  if (!text) return {};
  try {
    return decode_puller_health(*text);
  } catch (const std::exception& e) {
    // The decoder names the field; the document is no secret of the store.
    throw std::invalid_argument(std::string("the puller health record is malformed: ") + e.what());
  }
}

json passenger_health(Database& db, const std::string& client_id, const ClientPassenger& p,
                      TimePoint now) {
  const Clock::duration interval = p.drive_interval();
  const Clock::duration stale_after =
      std::max(PullerHealth::kStaleAtLeast, interval * PullerHealth::kStaleIntervals);
  json out{{"passenger", p.name},
           {"interval_seconds", seconds(interval)},
           {"stale_after_seconds", seconds(stale_after)},
           {"pullers", json::array()}};
  PullerHealthMap stored;
  std::string error;
  try {
    stored = read_health(db, client_id, p.name);
  } catch (const std::invalid_argument& e) {
    error = e.what();
    out["error"] = error;
  }
  std::set<std::string> listed;
  for (const ComponentRef& ref : p.pullers) {
    if (!listed.insert(ref.module).second) continue;  // A module listed twice shares one record.
    const auto it = stored.find(ref.module);
    json item =
        puller_json(ref.module, it == stored.end() ? PullerHealth{} : it->second, now, interval);
    if (!error.empty()) item["error"] = error;
    out["pullers"].push_back(std::move(item));
  }
  return out;
}

}  // namespace

json client_health(WebState& state, const std::string& client_id, TimePoint now) {
  const ClientConfig config = load_client_config(state, client_id);
  json passengers = json::array();
  for (const ClientPassenger& p : config.passengers) {
    passengers.push_back(passenger_health(state.dispatcher.database(), client_id, p, now));
  }
  return json{{"client_id", client_id}, {"passengers", std::move(passengers)}};
}

json health(WebState& state, const std::vector<std::string>& client_ids, TimePoint now) {
  json summary{{"clients", 0},   {"passengers", 0}, {"pullers", 0}, {"ok", 0},
               {"failing", 0},   {"stale", 0},      {"unknown", 0}, {"unreadable", 0},
               {"unhealthy", 0}, {"healthy", true}};
  const auto count = [&summary](const char* key) {
    summary[key] = summary[key].get<long long>() + 1;
  };
  json clients = json::array();
  for (const std::string& id : client_ids) {
    json client;
    try {
      client = client_health(state, id, now);
    } catch (const HttpError& e) {
      if (e.status() == 404) continue;  // Removed since it was listed.
      client = json{{"client_id", id}, {"error", e.what()}, {"passengers", json::array()}};
      count("unreadable");
    } catch (const CorruptDataError& e) {
      process_log::warning("web") << "the configuration of client '" << id
                                  << "' cannot be read: " << e.what();
      client = json{{"client_id", id},
                    {"error",
                     "the configuration cannot be read; the details are in the "
                     "server's log"},
                    {"passengers", json::array()}};
      count("unreadable");
    }
    count("clients");
    for (const json& p : client["passengers"]) {
      count("passengers");
      if (p.contains("error")) count("unreadable");
      for (const json& puller : p["pullers"]) {
        count("pullers");
        count(puller["state"].get<std::string>().c_str());
      }
    }
    clients.push_back(std::move(client));
  }
  const long long unhealthy = summary["failing"].get<long long>() +
                              summary["stale"].get<long long>() +
                              summary["unreadable"].get<long long>();
  summary["unhealthy"] = unhealthy;
  summary["healthy"] = unhealthy == 0;
  return json{{"checked_at", to_iso(now)},
              {"summary", std::move(summary)},
              {"clients", std::move(clients)}};
}

}  // namespace databus::web::service
