#include "web/service.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "databus/attachment_content.h"
#include "databus/error.h"
#include "databus/factories.h"
#include "databus/uuid.h"
#include "databus/version.h"

namespace databus::web::service {
namespace {

constexpr std::size_t kPeekTextLimit = 64 * 1024;

const ClientPassenger& find_passenger(const ClientConfig& config, const std::string& name) {
  const ClientPassenger* p = config.find_passenger(name);
  if (p == nullptr) {
    throw HttpError(404, "client '" + config.id + "' has no passenger type '" + name + "'");
  }
  return *p;
}

json time_or_null(const std::optional<TimePoint>& t) { return t ? json(to_iso(*t)) : json(); }

json schedule_json(const PassengerSchedule& s) {
  return json{{"client_id", s.client_id},
              {"passenger", s.passenger},
              {"last_drive_start", time_or_null(s.last_drive_start)},
              {"last_drive_end", time_or_null(s.last_drive_end)},
              {"last_worst_type",
               s.last_worst_type ? json(std::string(to_string(*s.last_worst_type))) : json()},
              {"next_due", to_iso(s.next_due)},
              {"running", s.running}};
}

}  // namespace

ClientConfig load_client_config(WebState& state, const std::string& client_id) {
  try {
    return state.dispatcher.database().load_client(client_id);
  } catch (const NotFoundError& e) {
    throw HttpError(404, e.what());
  } catch (const ConfigError& e) {
    throw HttpError(409, e.what());
  }
}

json passengers(WebState& state, const std::string& client_id, bool failure_counts) {
  const ClientConfig config = load_client_config(state, client_id);
  const DispatcherStatus status = state.dispatcher.status();
  json out = json::array();
  for (const ClientPassenger& p : config.passengers) {
    json item{{"passenger", p.name},
              {"sync_frequency", p.sync_frequency},
              {"queue_life_span", p.queue_life_span},
              {"pullers", json::array()},
              {"processors", p.processor_modules()},
              {"pushers", p.pusher_modules()}};
    for (const ComponentRef& r : p.pullers) item["pullers"].push_back(r.module);
    for (const PassengerSchedule& s : status.passengers) {
      if (s.client_id == client_id && s.passenger == p.name) item["schedule"] = schedule_json(s);
    }
    if (!failure_counts) {
      out.push_back(std::move(item));
      continue;
    }
    EntryQuery failures;
    failures.passenger_module = p.name;
    failures.filter = EntryFilter::failing;
    item["failing"] = state.dispatcher.database().count_entries(client_id, failures);
    failures.filter = EntryFilter::quarantined;
    item["quarantined"] = state.dispatcher.database().count_entries(client_id, failures);
    out.push_back(std::move(item));
  }
  return json{{"client_id", client_id}, {"state", to_string(status.state)}, {"passengers", out}};
}

void expedite(WebState& state, const std::string& client_id, const std::string& passenger) {
  find_passenger(load_client_config(state, client_id), passenger);
  try {
    state.dispatcher.expedite(client_id, passenger);
  } catch (const NotFoundError& e) {
    // Known to the configuration but not scheduled yet (before the next cycle).
    throw HttpError(409, e.what());
  }
}

json peek(WebState& state, const std::string& client_id, const std::string& passenger) {
  const ClientConfig config = load_client_config(state, client_id);
  const ClientPassenger& p = find_passenger(config, passenger);
  const Factories& factories = state.dispatcher.factories();
  json pullers = json::array();
  for (const ComponentRef& ref : p.pullers) {
    json item{{"module", ref.module}, {"passengers", json::array()}};
    try {
      Log throwaway;
      ComponentEnv env{
          client_id,         p.name, ref.module, ref.settings, state.dispatcher.ticket().data_dir,
          config.host_access};
      std::unique_ptr<Puller> puller = factories.puller(ref, env);
      if (!puller) throw Error("the puller factory returned nothing");
      DriveContext ctx(client_id, p, throwaway,
                       [&factories, &p] { return factories.passenger(p.name); });
      ctx.set_state_store(&state.dispatcher.database());  // Read only: a peek notifies nothing.
      for (const Passenger& found : puller->peek(ctx)) {
        json atts = json::array();
        for (const Attachment& a : found.attachments) {
          json att{{"name", a.name}, {"format", to_string(a.format)}, {"size", content_size(a)}};
          if (a.format == AttachmentFormat::text) {
            // The start only: a spooled attachment's first chunk, never the whole.
            att["text"] = a.spool != nullptr
                              ? std::string(ContentReader(a).next()).substr(0, kPeekTextLimit)
                              : a.content.substr(0, kPeekTextLimit);
          }
          atts.push_back(std::move(att));
        }
        item["passengers"].push_back(json{{"external_id", found.external_id},
                                          {"source_system", found.source_system},
                                          {"attachments", atts}});
      }
    } catch (const std::exception& e) {
      item["error"] = e.what();
    }
    pullers.push_back(std::move(item));
  }
  return json{{"client_id", client_id}, {"passenger", passenger}, {"pullers", pullers}};
}

json logs(WebState& state, const std::string& client_id, std::size_t offset, std::size_t limit,
          const std::string& type) {
  load_client_config(state, client_id);
  std::optional<LogType> wanted;
  if (!type.empty()) {
    try {
      wanted = parse_log_type(type);
    } catch (const std::invalid_argument&) {
      throw HttpError(400, "type must be info, warning or error");
    }
  }
  std::vector<LogSummary> all = state.dispatcher.database().list_logs(client_id);
  if (wanted) std::erase_if(all, [&](const LogSummary& s) { return s.worst_type != *wanted; });
  json items = json::array();
  for (std::size_t i = offset; i < all.size() && i < offset + limit; ++i) {
    items.push_back(json{{"guid", all[i].guid},
                         {"created", to_iso(all[i].created)},
                         {"worst_type", to_string(all[i].worst_type)}});
  }
  return json{{"client_id", client_id},
              {"total", all.size()},
              {"offset", offset},
              {"limit", limit},
              {"logs", items}};
}

json log(WebState& state, const std::string& client_id, const std::string& guid) {
  if (!is_uuid(guid)) throw HttpError(400, "invalid log guid");
  load_client_config(state, client_id);
  const std::optional<Log> found = state.dispatcher.database().read_log(client_id, guid);
  if (!found) throw HttpError(404, "client '" + client_id + "' has no log " + guid);
  json entries = json::array();
  for (const LogEntry& e : found->entries()) {
    entries.push_back(json{{"time", to_iso(e.time)},
                           {"source", e.source},
                           {"type", to_string(e.type)},
                           {"message", e.message}});
  }
  return json{{"guid", found->guid()},
              {"created", to_iso(found->created())},
              {"worst_type", to_string(found->worst_type())},
              {"entries", entries}};
}

std::size_t purge_logs(WebState& state, const std::string& client_id) {
  load_client_config(state, client_id);
  // Everything written so far; a drive finishing later writes a new log.
  return state.dispatcher.database().delete_logs_before(client_id,
                                                        Clock::now() + std::chrono::seconds(1));
}

json about(WebState& state) {
  const DispatcherStatus status = state.dispatcher.status();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  json disk;
  std::error_code ec;
  const auto space = std::filesystem::space(state.dispatcher.ticket().data_dir, ec);
  if (!ec) disk = json{{"capacity", space.capacity}, {"available", space.available}};
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - status.started);
  return json{{"version", kVersion},
              {"system_alias", state.dispatcher.ticket().system_alias},
              {"engine", state.dispatcher.database().engine()},
              {"engine_description", state.dispatcher.database().describe()},
              {"started", to_iso(status.started)},
              {"uptime_seconds", uptime.count()},
              {"host", host},
              {"data_dir", state.dispatcher.ticket().data_dir.string()},
              {"disk", disk},
              {"state", to_string(status.state)},
              {"workers", status.workers}};
}

json system(WebState& state) {
  const DispatcherStatus status = state.dispatcher.status();
  json passengers = json::array();
  for (const PassengerSchedule& s : status.passengers) passengers.push_back(schedule_json(s));
  // Set-aside changes stop client passengers until an operator acts, so the
  // System page lists them for every client (other problems are in the
  // drive logs and `databus check`).
  json set_aside = json::array();
  Database& database = state.dispatcher.database();
  std::vector<std::string> clients;
  try {
    clients = database.client_ids();
  } catch (const std::exception&) {
  }
  for (const std::string& id : clients) {
    try {
      for (const StorageProblem& p : database.problems(id)) {
        if (p.kind != StorageProblem::Kind::set_aside_changes) continue;
        set_aside.push_back(json{{"client_id", id},
                                 {"path", p.path},
                                 {"message", p.message},
                                 {"stopped_passengers", p.stopped_passengers}});
      }
    } catch (const std::exception& e) {
      set_aside.push_back(json{{"client_id", id},
                               {"path", ""},
                               {"message", std::string("cannot list stored problems: ") + e.what()},
                               {"stopped_passengers", json::array()}});
    }
  }
  return json{{"state", to_string(status.state)},
              {"started", to_iso(status.started)},
              {"workers", status.workers},
              {"running_drives", status.running_drives},
              {"export_running", status.export_running},
              {"config_errors", status.config_errors},
              {"storage_problems", set_aside},
              {"passengers", passengers}};
}

}  // namespace databus::web::service
