// The cluster for the System page and the REST API (service.h; docs/cluster.md,
// docs/api.md "System").
#include <chrono>

#include "databus/error.h"
#include "web/service.h"

namespace databus::web::service {
namespace {

json time_or_null(const std::optional<TimePoint>& t) { return t ? json(to_iso(*t)) : json(); }

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

json node_json(const NodeInfo& n, const std::string& this_node) {
  return json{{"id", n.id},
              {"host", n.host},
              {"pid", n.pid},
              {"version", n.version},
              {"started", to_iso(n.started)},
              {"last_heartbeat", to_iso(n.last_heartbeat)},
              {"drives_running", n.drives_running},
              {"paused", n.paused},
              {"this_node", n.id == this_node}};
}

json lease_json(const LeaseInfo& l) {
  return json{{"client_id", l.client_id},
              {"passenger", l.passenger},
              {"holder", l.holder.empty() ? json() : json(l.holder)},
              {"token", l.token},
              {"expires", time_or_null(l.expires)},
              {"next_due", to_iso(l.next_due)},
              {"interval_seconds", seconds(l.interval)},
              {"last_start", time_or_null(l.last_start)},
              {"last_end", time_or_null(l.last_end)}};
}

}  // namespace

json cluster(WebState& state) {
  const ClusterStatus status = state.dispatcher.cluster_status();
  json out{{"enabled", status.enabled},
           {"node_id", json()},
           {"lease_period_seconds", json()},
           {"nodes", json::array()},
           {"leases", json::array()}};
  if (!status.enabled) return out;
  out["node_id"] = status.node_id;
  out["lease_period_seconds"] = seconds(status.lease_period);
  for (const NodeInfo& n : status.nodes) out["nodes"].push_back(node_json(n, status.node_id));
  for (const LeaseInfo& l : status.leases) out["leases"].push_back(lease_json(l));
  return out;
}

json system_action(WebState& state, const std::string& action, const std::string& node) {
  Dispatcher& d = state.dispatcher;
  try {
    if (action == "pause") {
      d.cluster_pause(node);
    } else if (action == "resume") {
      d.cluster_resume(node);
    } else if (action == "shutdown") {
      d.cluster_shutdown(node);
    } else {
      throw HttpError(400, "unknown system action '" + action + "'");
    }
  } catch (const NotFoundError& e) {
    throw HttpError(404, std::string(e.what()) + " (GET /api/v1/cluster lists the nodes)");
  }
  return json{{"state", to_string(d.status().state)}, {"node", node.empty() ? json() : json(node)}};
}

}  // namespace databus::web::service
