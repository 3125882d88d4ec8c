// The queue part of the service layer (service.h).

#include <algorithm>
#include <iterator>
#include <utility>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "storage/storage_names.h"
#include "web/service.h"

namespace databus::web::service {
namespace {

QueueEntry load_entry(WebState& state, const std::string& client_id,
                      const std::string& internal_id) {
  if (!is_uuid(internal_id)) throw HttpError(400, "invalid internal id");
  load_client_config(state, client_id);
  std::optional<QueueEntry> e = state.dispatcher.database().load_entry(client_id, internal_id);
  if (!e) throw HttpError(404, "client '" + client_id + "' has no queue entry " + internal_id);
  return std::move(*e);
}

// A time, or null for the epoch (a step that never failed is due at once).
json time_or_null(TimePoint t) { return t == TimePoint{} ? json() : json(to_iso(t)); }

json steps_json(const std::vector<StepState>& steps) {
  json out = json::array();
  for (const StepState& s : steps) {
    out.push_back(json{{"module", s.module},
                       {"status", to_string(s.status)},
                       {"attempts", s.attempts},
                       {"last_error", s.last_error},
                       {"next_attempt", time_or_null(s.next_attempt)},
                       {"quarantined", s.quarantined}});
  }
  return out;
}

json summary_json(const QueueEntry& e) {
  const Passenger& p = e.passenger;
  return json{{"internal_id", p.internal_id},
              {"external_id", p.external_id},
              {"source_system", p.source_system},
              {"passenger_module", p.passenger_module},
              {"puller_module", p.puller_module},
              {"pull_datetime", to_iso(p.pull_datetime)},
              {"puller_notified", e.puller_notified},
              {"complete", e.complete()},
              {"failing", e.failing()},
              {"quarantined", e.quarantined()},
              {"processor_statuses", steps_json(e.processor_statuses)},
              {"pusher_statuses", steps_json(e.pusher_statuses)}};
}

}  // namespace

json queue(WebState& state, const std::string& client_id, const QueueQuery& q) {
  const ClientConfig config = load_client_config(state, client_id);
  if (config.find_passenger(q.passenger) == nullptr) {
    throw HttpError(404, "client '" + client_id + "' has no passenger type '" + q.passenger + "'");
  }
  EntryQuery query;
  query.passenger_module = q.passenger;
  static const std::pair<const char*, EntryFilter> kFilters[] = {
      {"all", EntryFilter::all},           {"incomplete", EntryFilter::incomplete},
      {"complete", EntryFilter::complete}, {"failing", EntryFilter::failing},
      {"waiting", EntryFilter::waiting},   {"quarantined", EntryFilter::quarantined}};
  const auto* found = std::find_if(std::begin(kFilters), std::end(kFilters),
                                   [&](const auto& f) { return q.filter == f.first; });
  if (found == std::end(kFilters)) {
    throw HttpError(400,
                    "filter must be all, incomplete, complete, failing, waiting or quarantined");
  }
  query.filter = found->second;
  query.search = q.search;
  query.newest_first = q.newest_first;
  query.with_attachments = false;
  Database& db = state.dispatcher.database();
  const std::size_t total = db.count_entries(client_id, query);
  query.offset = q.offset;
  query.limit = std::clamp<std::size_t>(q.limit, 1, 500);
  json entries = json::array();
  for (const QueueEntry& e : db.query_entries(client_id, query)) {
    entries.push_back(summary_json(e));
  }
  return json{{"client_id", client_id}, {"passenger", q.passenger},
              {"total", total},         {"offset", q.offset},
              {"limit", query.limit},   {"search", q.search},
              {"filter", q.filter},     {"order", q.newest_first ? "newest" : "oldest"},
              {"entries", entries}};
}

json entry(WebState& state, const std::string& client_id, const std::string& internal_id) {
  const QueueEntry e = load_entry(state, client_id, internal_id);
  json out = summary_json(e);
  json atts = json::array();
  for (const Attachment& a : e.passenger.attachments) {
    atts.push_back(
        json{{"name", a.name}, {"format", to_string(a.format)}, {"size", content_size(a)}});
  }
  out["attachments"] = atts;
  out["log_guids"] = e.passenger.log_guids;
  out["log_guids_dropped"] = e.passenger.log_guids_dropped;
  out["client_id"] = client_id;
  return out;
}

json set_status(WebState& state, const std::string& client_id, const std::string& internal_id,
                const std::string& step, const std::string& module, const std::string& status) {
  load_entry(state, client_id, internal_id);  // 400 / 404 before anything else.
  StepStatus wanted;
  try {
    wanted = parse_step_status(status);
  } catch (const std::invalid_argument&) {
    throw HttpError(400, "status must be undefined, incomplete or complete");
  }
  if (step != "notified" && step != "processor" && step != "pusher") {
    throw HttpError(400, "step must be processor, pusher or notified");
  }
  // Through the client passenger's lane: the entry is read and written
  // while no drive of it runs (a running one makes this wait, then 409).
  state.dispatcher.edit_entry(client_id, internal_id, [&](QueueEntry& e) {
    if (step == "notified") {
      e.puller_notified = wanted == StepStatus::complete;
      return;
    }
    StepState* s = step == "processor" ? e.processor(module) : e.pusher(module);
    if (s == nullptr) throw HttpError(404, "the entry has no " + step + " '" + module + "'");
    s->status = wanted;
    // Complete: as a successful run leaves it (no failures, no quarantine).
    if (wanted == StepStatus::complete) s->reset_failures();
  });
  return entry(state, client_id, internal_id);
}

Attachment attachment(WebState& state, const std::string& client_id, const std::string& internal_id,
                      const std::string& name) {
  if (!is_safe_attachment_name(name)) throw HttpError(400, "invalid attachment name");
  const QueueEntry e = load_entry(state, client_id, internal_id);
  const Attachment* a = e.passenger.find_attachment(name);
  if (a == nullptr) throw HttpError(404, "the entry has no attachment '" + name + "'");
  return *a;
}

std::size_t purge_completed(WebState& state, const std::string& client_id,
                            const std::string& passenger) {
  const ClientConfig config = load_client_config(state, client_id);
  if (config.find_passenger(passenger) == nullptr) {
    throw HttpError(404, "client '" + client_id + "' has no passenger type '" + passenger + "'");
  }
  return state.dispatcher.purge_complete(client_id, passenger);
}

}  // namespace databus::web::service
