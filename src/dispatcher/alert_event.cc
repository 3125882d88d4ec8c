#include "dispatcher/alert_event.h"

#include <nlohmann/json.hpp>

#include "components/alert/alert_passenger.h"
#include "databus/uuid.h"

namespace databus::dispatch {

std::string_view to_string(AlertKind kind) {
  switch (kind) {
    case AlertKind::step_quarantined:
      return "step_quarantined";
    case AlertKind::puller_failing:
      return "puller_failing";
    case AlertKind::puller_stale:
      return "puller_stale";
    case AlertKind::puller_recovered:
      return "puller_recovered";
  }
  return "unknown";
}

std::string AlertEvent::quiet_key() const { return std::string(to_string(kind)) + " " + module; }

std::string AlertEvent::text() const {
  std::string head = "Databus alert, client '" + client_id + "', passenger " + passenger + ": ";
  switch (kind) {
    case AlertKind::step_quarantined:
      head += "step " + module + " is quarantined after " + std::to_string(attempts) +
              (attempts == 1 ? " failed attempt" : " failed attempts") + " (entry " +
              entry_external_id + ", internal id " + entry_internal_id + ")";
      if (more > 0) head += " and " + std::to_string(more) + " more entries";
      head += "; it runs again only when a person retries it.";
      break;
    case AlertKind::puller_failing:
      head += "puller " + module + " is failing (" + std::to_string(attempts) +
              " failed pulls in a row).";
      break;
    case AlertKind::puller_stale:
      head += "puller " + module + " is stale (no successful pull since " +
              (last_success == TimePoint{} ? std::string("it started") : to_iso(last_success)) +
              ").";
      break;
    case AlertKind::puller_recovered:
      head +=
          "puller " + module + " recovered (it was " + std::string(databus::to_string(was)) + ").";
      break;
  }
  std::string tail = "At " + to_iso(at) + " UTC";
  if (!error.empty() && kind != AlertKind::puller_recovered) tail += ", last error: " + error;
  return head + "\n" + tail + "\n";
}

Passenger alert_passenger(const AlertEvent& event, const std::string& node) {
  Passenger p;
  p.passenger_module = kAlertPassengerModule;
  p.internal_id = new_uuid();
  p.source_system = kAlertSourceSystem;
  p.external_id = event.quiet_key() + " " + p.internal_id;
  p.puller_module = "databus.dispatcher";
  p.pull_datetime = Clock::now();
  nlohmann::json j = {{"kind", std::string(to_string(event.kind))},
                      {"client", event.client_id},
                      {"passenger", event.passenger},
                      {"module", event.module},
                      {"error", event.error},
                      {"attempts", event.attempts},
                      {"time", to_iso(event.at)},
                      {"node", node}};
  if (event.kind == AlertKind::step_quarantined) {
    j["entry"] = {{"internal_id", event.entry_internal_id},
                  {"external_id", event.entry_external_id}};
    j["more_entries"] = event.more;
  } else {
    j["was"] = std::string(databus::to_string(event.was));
    j["last_success"] = event.last_success == TimePoint{}
                            ? nlohmann::json()
                            : nlohmann::json(to_iso(event.last_success));
  }
  p.add_attachment("alert.txt", AttachmentFormat::text, event.text());
  p.add_attachment("alert.json", AttachmentFormat::text,
                   j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  return p;
}

}  // namespace databus::dispatch
