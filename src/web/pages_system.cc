// The System page (root only): the dispatcher's state and schedule, set-aside
// storage problems, the cluster's nodes and leases (docs/cluster.md), and the
// pause, resume and shutdown actions for the whole cluster or one node.

#include <sstream>

#include "web/html.h"
#include "web/pages_common.h"
#include "web/routes.h"
#include "web/service.h"

namespace databus::web {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

std::string s(const json& j) {
  return j.is_string() ? j.get<std::string>() : j.is_null() ? "" : j.dump();
}

// An ISO time (or null) as a table cell's escaped text.
std::string time_cell(const json& t) {
  return t.is_string() ? escape_html(display_time(t.get<std::string>())) : "–";
}

// Seconds as people write them: "15", "0.5".
std::string seconds_text(const json& seconds) {
  std::ostringstream out;
  out << (seconds.is_number() ? seconds.get<double>() : 0.0);
  return out.str();
}

// Pause, Resume and Shut down for the whole cluster (`node` empty) or one node.
std::string action_buttons(const Principal& who, const std::string& node, bool cluster) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (!node.empty()) fields.emplace_back("node", node);
  const std::string confirm =
      !node.empty() ? "Shut node " + node + " down? Its running drives finish first."
      : cluster     ? "Shut down every node of the cluster? Running drives finish first."
                    : "Shut Databus down? Running drives finish first.";
  return post_button(who, "/system/pause", "Pause", fields, "") +
         post_button(who, "/system/resume", "Resume", fields, "primary") +
         post_button(who, "/system/shutdown", "Shut down", fields, "danger", confirm);
}

std::string nodes_table(const Principal& who, const json& cluster) {
  std::string out =
      "<div class=\"table-wrap\"><table id=\"cluster-nodes\"><thead><tr><th>Node</th>"
      "<th>Host</th><th>PID</th><th>Version</th><th>Started</th><th>Last heartbeat</th>"
      "<th>Drives running</th><th>State</th>" +
      std::string(who.admin() ? "<th></th>" : "") + "</tr></thead><tbody>";
  for (const json& n : cluster["nodes"]) {
    const std::string id = s(n["id"]);
    const bool self = n["this_node"].get<bool>();
    out += std::string("<tr") + (self ? " class=\"this-node\"" : "") + "><td>" + escape_html(id) +
           (self ? " <span class=\"muted\">(this node)</span>" : "") + "</td><td>" +
           escape_html(s(n["host"])) + "</td><td>" + escape_html(s(n["pid"])) + "</td><td>" +
           escape_html(s(n["version"])) + "</td><td>" + time_cell(n["started"]) + "</td><td>" +
           time_cell(n["last_heartbeat"]) + "</td><td>" + escape_html(s(n["drives_running"])) +
           "</td><td>" + badge(n["paused"].get<bool>() ? "paused" : "running") + "</td>";
    if (who.admin()) out += "<td class=\"actions\">" + action_buttons(who, id, true) + "</td>";
    out += "</tr>";
  }
  if (cluster["nodes"].empty())
    out += "<tr><td colspan=\"9\">No node has reported recently.</td></tr>";
  return out + "</tbody></table></div>";
}

std::string leases_table(const json& cluster) {
  std::string out =
      "<div class=\"table-wrap\"><table id=\"cluster-leases\"><thead><tr><th>Client</th>"
      "<th>Passenger type</th><th>Holder</th><th>Token</th><th>Lease expires</th>"
      "<th>Last drive start</th><th>Last drive end</th><th>Next due</th></tr></thead><tbody>";
  for (const json& l : cluster["leases"]) {
    out += "<tr><td>" + escape_html(s(l["client_id"])) + "</td><td>" +
           escape_html(s(l["passenger"])) + "</td><td>" +
           (l["holder"].is_null() ? std::string("<span class=\"muted\">free</span>")
                                  : escape_html(s(l["holder"]))) +
           "</td><td>" + escape_html(s(l["token"])) + "</td><td>" + time_cell(l["expires"]) +
           "</td><td>" + time_cell(l["last_start"]) + "</td><td>" + time_cell(l["last_end"]) +
           "</td><td>" + time_cell(l["next_due"]) + "</td></tr>";
  }
  if (cluster["leases"].empty())
    out += "<tr><td colspan=\"8\">No client passenger scheduled yet.</td></tr>";
  return out + "</tbody></table></div>";
}

std::string cluster_section(const Principal& who, const json& cluster) {
  if (!cluster["enabled"].get<bool>()) {
    return "<p class=\"muted\" id=\"cluster\">Single node: this store is not shared with other "
           "Databus processes.</p>";
  }
  return "<section id=\"cluster\"><h2>Cluster</h2><p>This node: <strong>" +
         escape_html(s(cluster["node_id"])) + "</strong> · lease period " +
         escape_html(seconds_text(cluster["lease_period_seconds"])) + " s</p>" +
         nodes_table(who, cluster) + "<h3>Leases</h3>" + leases_table(cluster) + "</section>";
}

void system_page(WebState& st, const Request& req, Response& res) {
  const Principal who = authorize_root(st, req, Access::read);
  const json sys = service::system(st);
  const json cluster = service::cluster(st);
  const bool clustered = cluster["enabled"].get<bool>();
  std::string body = "<p>Dispatcher <span id=\"dispatcher-state\">" + badge(s(sys["state"])) +
                     "</span> · " + escape_html(s(sys["running_drives"])) + " drive(s) running · " +
                     escape_html(s(sys["workers"])) + " workers</p>";
  if (who.admin()) {
    body += "<div class=\"actions\">";
    if (clustered) body += "<span class=\"muted\">Every node:</span> ";
    body += action_buttons(who, "", clustered) + "</div>";
  }
  for (const json& e : sys["config_errors"]) {
    body += "<div class=\"banner error\">" + escape_html(s(e)) + "</div>";
  }
  for (const json& p : sys["storage_problems"]) {
    body += "<div class=\"banner error storage-problem\">Client " + escape_html(s(p["client_id"])) +
            ": " + escape_html(s(p["path"])) + ": " + escape_html(s(p["message"])) + "</div>";
  }
  body += cluster_section(who, cluster);
  body +=
      "<h2>Schedule</h2><div class=\"table-wrap\"><table><thead><tr><th>Client</th>"
      "<th>Passenger type</th><th>Last drive</th><th>Result</th><th>Next due</th></tr>"
      "</thead><tbody>";
  for (const json& p : sys["passengers"]) {
    body += "<tr><td>" + escape_html(s(p["client_id"])) + "</td><td>" +
            escape_html(s(p["passenger"])) + "</td><td>" + time_cell(p["last_drive_end"]) +
            "</td><td>" + (p["last_worst_type"].is_null() ? "–" : badge(s(p["last_worst_type"]))) +
            "</td><td>" + time_cell(p["next_due"]) + "</td></tr>";
  }
  body += "</tbody></table></div>";
  send_html(res, render_page(st, &who, PageFrame{"System", "", "system", body}));
}

}  // namespace

void add_system_pages(httplib::Server& server, WebState& st) {
  server.Get("/system",
             page(st, [&st](const Request& req, Response& res) { system_page(st, req, res); }));
  server.Post("/system/(pause|resume|shutdown)", page(st, [&st](const Request& req, Response& res) {
                const Principal who = authorize_root(st, req, Access::change);
                check_csrf(who, req, false);
                // The form's `node` (a node's row) or none (every node).
                const std::string node = query(req, "node");
                const json done = service::system_action(st, req.matches[1], node);
                const std::string target = node.empty() ? "" : " (node " + node + ")";
                flash(st, who,
                      std::string(req.matches[1]) + target +
                          " ordered; this dispatcher: " + s(done["state"]));
                redirect(res, "/system");
              }));
}

}  // namespace databus::web
