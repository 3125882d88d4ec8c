#include "web/metrics.h"

#include <exception>
#include <set>

#include "databus/puller_health.h"
#include "databus/version.h"
#include "web/access.h"
#include "web/api_support.h"
#include "web/process_metrics.h"
#include "web/prometheus_text.h"
#include "web/web_state.h"

namespace databus::web {
namespace {

using StepKey = NodeMetrics::StepKey;

double seconds_since_epoch(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// What the configuration says a module of a client passenger does: the
// step families whose zero series it gets before anything happened (so that
// rate() sees the first increase).
enum Role : unsigned { kPuller = 1, kProcessor = 2, kPusher = 4 };

struct StepFamily {
  const char* name;
  const char* help;
  std::uint64_t StepCounters::*field;
  unsigned roles;
};

constexpr StepFamily kStepFamilies[] = {
    {"databus_passengers_pulled_total", "Passengers a puller returned.", &StepCounters::pulled,
     kPuller},
    {"databus_passengers_seated_total", "Pulled passengers durably seated in the queue.",
     &StepCounters::seated, kPuller},
    {"databus_passengers_processed_total", "Processor runs that completed.",
     &StepCounters::processed, kProcessor},
    {"databus_passengers_pushed_total", "Passengers a pusher delivered.", &StepCounters::pushed,
     kPusher},
    {"databus_step_failures_total", "Failed runs of a puller, processor or pusher.",
     &StepCounters::failed, kPuller | kProcessor | kPusher},
    {"databus_steps_quarantined_total",
     "Processor or pusher steps quarantined after their last retry.", &StepCounters::quarantined,
     kProcessor | kPusher},
};

struct ClientView {
  std::string id;
  std::optional<ClientConfig> config;  // Empty when it cannot be read.
};

std::vector<ClientView> clients_of(Database& db, const std::optional<std::string>& only) {
  std::vector<ClientView> out;
  for (const std::string& id : db.client_ids()) {
    if (only && id != *only) continue;
    ClientView view{id, std::nullopt};
    try {
      view.config = db.load_client(id);
    } catch (const std::exception&) {
      // Counted from the events only; `databus check` names the problem.
    }
    out.push_back(std::move(view));
  }
  return out;
}

void write_steps(PrometheusText& out, const NodeMetrics::Snapshot& snapshot,
                 const std::vector<ClientView>& clients) {
  std::map<StepKey, unsigned> roles;
  for (const ClientView& c : clients) {
    if (!c.config) continue;
    for (const ClientPassenger& p : c.config->passengers) {
      for (const ComponentRef& r : p.pullers) roles[{c.id, p.name, r.module}] |= kPuller;
      for (const std::string& m : p.processor_modules()) roles[{c.id, p.name, m}] |= kProcessor;
      for (const std::string& m : p.pusher_modules()) roles[{c.id, p.name, m}] |= kPusher;
    }
  }
  std::set<std::string> shown;
  for (const ClientView& c : clients) shown.insert(c.id);
  std::map<StepKey, StepCounters> steps;
  for (const auto& [key, role] : roles) steps[key];
  for (const auto& [key, counters] : snapshot.steps) {
    if (shown.count(std::get<0>(key)) > 0) steps[key] = counters;
  }
  for (const StepFamily& f : kStepFamilies) {
    out.family(f.name, "counter", f.help);
    for (const auto& [key, counters] : steps) {
      const std::uint64_t value = counters.*f.field;
      const auto role = roles.find(key);
      if (value == 0 && (role == roles.end() || (role->second & f.roles) == 0)) continue;
      const auto& [client, passenger, module] = key;
      out.sample(f.name, {{"client", client}, {"passenger", passenger}, {"module", module}},
                 static_cast<double>(value));
    }
  }
}

void write_drives(PrometheusText& out, const NodeMetrics::Snapshot& snapshot,
                  const std::vector<ClientView>& clients) {
  std::map<NodeMetrics::PassengerKey, DriveCounters> drives;
  for (const ClientView& c : clients) {
    if (!c.config) continue;
    for (const ClientPassenger& p : c.config->passengers) drives[{c.id, p.name}];
  }
  std::set<std::string> shown;
  for (const ClientView& c : clients) shown.insert(c.id);
  for (const auto& [key, counters] : snapshot.drives) {
    if (shown.count(key.first) > 0) drives[key] = counters;
  }
  out.family("databus_drives_total", "counter",
             "Drives that ended, by the worst line of their log: ok, warning or error.");
  for (const auto& [key, d] : drives) {
    for (const auto& [result, n] :
         {std::pair{"ok", d.ok}, {"warning", d.warning}, {"error", d.error}}) {
      out.sample("databus_drives_total",
                 {{"client", key.first}, {"passenger", key.second}, {"result", result}},
                 static_cast<double>(n));
    }
  }
  out.family("databus_drive_duration_seconds", "histogram",
             "How long the drives of a client passenger took.");
  for (const auto& [key, d] : drives) {
    for (std::size_t i = 0; i < kDriveDurationBuckets.size(); ++i) {
      const std::string le = prometheus_number(kDriveDurationBuckets[i]);
      out.sample("databus_drive_duration_seconds_bucket",
                 {{"client", key.first}, {"passenger", key.second}, {"le", le}},
                 static_cast<double>(d.buckets[i]));
    }
    const double count = static_cast<double>(d.timed);
    out.sample("databus_drive_duration_seconds_bucket",
               {{"client", key.first}, {"passenger", key.second}, {"le", "+Inf"}}, count);
    out.sample("databus_drive_duration_seconds_sum",
               {{"client", key.first}, {"passenger", key.second}}, d.seconds_sum);
    out.sample("databus_drive_duration_seconds_count",
               {{"client", key.first}, {"passenger", key.second}}, count);
  }
}

void write_queue_and_health(PrometheusText& out, Database& db,
                            const std::vector<ClientView>& clients) {
  out.family("databus_queue_entries", "gauge",
             "Queue entries of a client passenger: incomplete, waiting for a retry, quarantined.");
  for (const ClientView& c : clients) {
    if (!c.config) continue;
    for (const ClientPassenger& p : c.config->passengers) {
      for (const auto& [state, filter] : {std::pair{"incomplete", EntryFilter::incomplete},
                                          {"waiting", EntryFilter::waiting},
                                          {"quarantined", EntryFilter::quarantined}}) {
        EntryQuery query;
        query.passenger_module = p.name;
        query.filter = filter;
        try {
          out.sample("databus_queue_entries",
                     {{"client", c.id}, {"passenger", p.name}, {"state", state}},
                     static_cast<double>(db.count_entries(c.id, query)));
        } catch (const std::exception&) {
          // A store that cannot answer now: the series is missing this scrape.
        }
      }
    }
  }
  std::vector<std::tuple<std::string, std::string, std::string, PullerHealth>> pullers;
  for (const ClientView& c : clients) {
    if (!c.config) continue;
    for (const ClientPassenger& p : c.config->passengers) {
      PullerHealthMap stored;
      try {
        const std::optional<std::string> text =
            db.read_passenger_state(c.id, p.name, kPullerHealthState);
        if (text) stored = decode_puller_health(*text);
      } catch (const std::exception&) {
        continue;  // GET /api/v1/health says why.
      }
      for (const ComponentRef& r : p.pullers) {
        const auto it = stored.find(r.module);
        pullers.emplace_back(c.id, p.name, r.module,
                             it == stored.end() ? PullerHealth{} : it->second);
      }
    }
  }
  out.family("databus_puller_last_success_timestamp_seconds", "gauge",
             "When a puller last pulled without error (0: never), seconds since the epoch.");
  for (const auto& [client, passenger, module, h] : pullers) {
    out.sample("databus_puller_last_success_timestamp_seconds",
               {{"client", client}, {"passenger", passenger}, {"module", module}},
               h.last_success == TimePoint{} ? 0 : seconds_since_epoch(h.last_success));
  }
  out.family("databus_puller_consecutive_failures", "gauge",
             "Failed pulls of a puller in a row since its last success.");
  for (const auto& [client, passenger, module, h] : pullers) {
    out.sample("databus_puller_consecutive_failures",
               {{"client", client}, {"passenger", passenger}, {"module", module}},
               h.consecutive_failures);
  }
}

void write_http(PrometheusText& out, const HttpRequestCounts& requests) {
  out.family("databus_http_requests_total", "counter",
             "Requests the web interface answered, by route pattern, method and status code.");
  for (const auto& [key, n] : requests.snapshot()) {
    const auto& [route, method, status] = key;
    const std::string code = std::to_string(status);
    out.sample("databus_http_requests_total",
               {{"route", route}, {"method", method}, {"code", code}}, static_cast<double>(n));
  }
}

void send_metrics(WebState& s, httplib::Response& res, const std::optional<std::string>& only) {
  res.set_content(render_metrics(s, only), kPrometheusContentType);
}

}  // namespace

std::string route_label(const httplib::Request& req) {
  if (req.matches.empty()) return "other";
  std::string out;
  std::size_t at = 0;
  for (std::size_t i = 1; i < req.matches.size(); ++i) {
    if (!req.matches[i].matched) continue;
    const auto start = static_cast<std::size_t>(req.matches.position(i));
    if (start < at) continue;  // Nested group: its outer one is replaced already.
    out += req.path.substr(at, start - at);
    out += ":param";
    at = start + static_cast<std::size_t>(req.matches.length(i));
  }
  out += req.path.substr(std::min(at, req.path.size()));
  return out;
}

void HttpRequestCounts::record(const httplib::Request& req, int status) {
  const bool matched = !req.matches.empty();
  Key key{route_label(req), matched ? req.method : "other", status};
  std::lock_guard lock(mu_);
  ++counts_[key];
}

std::map<HttpRequestCounts::Key, std::uint64_t> HttpRequestCounts::snapshot() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::string render_metrics(WebState& s, const std::optional<std::string>& only_client) {
  Database& db = s.dispatcher.database();
  const std::vector<ClientView> clients = clients_of(db, only_client);
  const NodeMetrics::Snapshot snapshot = s.dispatcher.metrics().snapshot();
  PrometheusText out;
  out.family("databus_build_info", "gauge", "Always 1; the version of this Databus.");
  out.sample("databus_build_info", {{"version", kVersion}}, 1);
  out.family("databus_drives_running", "gauge", "Drives running on this node now.");
  out.sample("databus_drives_running", {}, s.dispatcher.status().running_drives);
  write_steps(out, snapshot, clients);
  write_drives(out, snapshot, clients);
  write_queue_and_health(out, db, clients);
  if (!only_client) write_http(out, s.requests);
  write_process_metrics(out);
  return out.text();
}

void add_metrics_routes(httplib::Server& server, WebState& s) {
  server.Get("/metrics", api(s, [&s](const httplib::Request& req, httplib::Response& res) {
               const std::string auth = req.get_header_value("Authorization");
               if (!auth.starts_with("Bearer ") || auth.size() == 7) {
                 throw HttpError(401, "a bearer token is required");
               }
               const std::optional<TokenUser> user =
                   s.tokens.find(s.dispatcher.database(), auth.substr(7));
               if (!user) throw HttpError(401, "invalid bearer token");
               if (user->client_id == kRootClient) return send_metrics(s, res, std::nullopt);
               if (!user->user.has_right("metrics")) {
                 throw HttpError(403, "this needs a user of root or one with the metrics right");
               }
               send_metrics(s, res, user->client_id);
             }));
}

void add_open_metrics_route(httplib::Server& server, WebState& s) {
  server.Get("/metrics", [&s](const httplib::Request&, httplib::Response& res) {
    send_metrics(s, res, std::nullopt);
  });
}

}  // namespace databus::web
