#include "dispatcher/alert_sender.h"

#include <unistd.h>

#include <exception>
#include <map>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "components/alert/alert_passenger.h"
#include "databus/component.h"
#include "databus/pusher.h"
#include "databus/queue_entry.h"

namespace databus::dispatch {
namespace {

std::string current_message() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

// Events of one (passenger, quiet key) folded into the first of them.
std::vector<AlertEvent> folded(const std::vector<AlertEvent>& events) {
  std::vector<AlertEvent> out;
  std::map<std::pair<std::string, std::string>, std::size_t> at;
  for (const AlertEvent& e : events) {
    auto [it, fresh] = at.emplace(std::pair{e.passenger, e.quiet_key()}, out.size());
    if (fresh) {
      out.push_back(e);
    } else {
      out[it->second].more += 1 + e.more;
    }
  }
  return out;
}

}  // namespace

std::string this_host() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown-host";
  return buffer;
}

AlertSender::AlertSender(const Factories& factories, std::filesystem::path data_dir,
                         std::string node)
    : factories_(factories), data_dir_(std::move(data_dir)), node_(std::move(node)) {}

int AlertSender::push(const ClientConfig& config, const AlertEvent& event, Log& log) {
  const Passenger passenger = alert_passenger(event, node_);
  // The alert passenger's own "client passenger": its pushers are the
  // alert pushers, and nothing is pulled or processed.
  ClientPassenger alerts;
  alerts.name = kAlertPassengerModule;
  alerts.pushers = config.alerts.pushers;
  DriveContext ctx(config.id, alerts, log, [] { return Passenger{}; });
  int delivered = 0;
  for (const ComponentRef& ref : config.alerts.pushers) {
    try {
      ComponentEnv env;
      env.client_id = config.id;
      env.passenger = kAlertPassengerModule;
      env.module = ref.module;
      env.settings = ref.settings;
      env.data_dir = data_dir_;
      env.host_delegation = config.host_access;
      std::unique_ptr<Pusher> pusher = factories_.pusher(ref, env);
      if (!pusher) throw std::runtime_error("the pusher factory made nothing");
      QueueEntry entry = QueueEntry::seat(passenger, {}, alerts.pusher_modules());
      pusher->push(ctx, entry);
      pusher->flush(ctx);
      ++delivered;
    } catch (...) {
      log.error(kAlertsSource, "alert pusher " + ref.module + " could not send the " +
                                   std::string(to_string(event.kind)) + " alert about " +
                                   event.module + " of " + event.passenger + ": " +
                                   current_message() + " (alerts are not retried)");
    }
  }
  return delivered;
}

int AlertSender::send(Database& database, const ClientConfig& config,
                      const std::vector<AlertEvent>& events, Log& log, TimePoint now) noexcept {
  if (config.alerts.empty() || events.empty()) return 0;
  int sent = 0;
  try {
    const Clock::duration quiet = std::chrono::minutes(config.alerts.quiet_minutes);
    for (const AlertEvent& event : folded(events)) {
      const std::string key = event.quiet_key();
      nlohmann::json record = nlohmann::json::object();
      nlohmann::json previous;  // The key's value before the claim; null: none.
      {
        // Claim the alert in the record before pushing, so that another
        // thread or node that reads the record after it does not send it too.
        std::lock_guard lock(record_mu_);
        try {
          const std::optional<std::string> text =
              database.read_passenger_state(config.id, event.passenger, kAlertsSentState);
          if (text) record = nlohmann::json::parse(*text);
          if (!record.is_object()) record = nlohmann::json::object();
        } catch (...) {
          log.warning(kAlertsSource, "the record of the alerts sent about " + event.passenger +
                                         " cannot be read (" + current_message() +
                                         "); it is started again");
          record = nlohmann::json::object();
        }
        if (record.contains(key) && record.at(key).is_string()) {
          TimePoint last{};
          try {
            last = parse_iso(record.at(key).get<std::string>());
          } catch (...) {
          }
          if (now - last < quiet && now >= last) {
            log.info(kAlertsSource, "no " + key + " alert about " + event.passenger +
                                        ": one was sent at " + to_iso(last) +
                                        ", within the quiet period of " +
                                        std::to_string(config.alerts.quiet_minutes) + " minutes");
            continue;
          }
        }
        if (record.contains(key)) previous = record.at(key);
        record[key] = to_iso(now);
        database.write_passenger_state(config.id, event.passenger, kAlertsSentState, record.dump());
      }
      const int delivered = push(config, event, log);
      if (delivered > 0) {
        ++sent;
        log.info(kAlertsSource, "sent the " + key + " alert about " + event.passenger + " to " +
                                    std::to_string(delivered) + " of " +
                                    std::to_string(config.alerts.pushers.size()) +
                                    " alert pusher(s)");
        continue;
      }
      // Reached nobody: the claim is withdrawn, so the next event is sent.
      std::lock_guard lock(record_mu_);
      try {
        const std::optional<std::string> text =
            database.read_passenger_state(config.id, event.passenger, kAlertsSentState);
        nlohmann::json now_record = text ? nlohmann::json::parse(*text) : nlohmann::json::object();
        if (!now_record.is_object()) now_record = nlohmann::json::object();
        if (previous.is_null()) {
          now_record.erase(key);
        } else {
          now_record[key] = previous;
        }
        database.write_passenger_state(config.id, event.passenger, kAlertsSentState,
                                       now_record.dump());
      } catch (...) {
        log.warning(kAlertsSource, "cannot withdraw the record of the unsent " + key +
                                       " alert about " + event.passenger + ": " +
                                       current_message());
      }
    }
  } catch (...) {
    log.error(kAlertsSource, "cannot send alerts: " + current_message());
  }
  return sent;
}

}  // namespace databus::dispatch
