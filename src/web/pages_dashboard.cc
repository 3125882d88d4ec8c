// The Dashboard page (docs/operations.md "Monitoring"): the first page after
// login. Per client passenger its flow as boxes (pullers → queue →
// processors → pushers) with the entries waiting at each step, failing ones
// in red, each linking to the queue filtered; its last 24 hours as charts;
// and the live tail of the node's running drives. The page's script
// (assets: dashboard.js) replaces the passengers part with
// /c/{client}/dashboard/fragment every few seconds and appends tail lines
// from the API, so the page never reloads whole.

#include "web/dashboard_svg.h"
#include "web/html.h"
#include "web/pages_common.h"
#include "web/service.h"

namespace databus::web {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

std::string queue_link(const std::string& client, const std::string& passenger,
                       const std::string& filter) {
  return client_url(client, "queue") + "?passenger=" + url_encode(passenger) +
         "&amp;filter=" + filter;
}

std::string count_text(const json& n) { return std::to_string(n.get<std::int64_t>()); }

// One box of the flow: its kind, module, the entries waiting and, in red,
// the failing and quarantined ones, each a link to the queue filtered.
std::string flow_box(const std::string& client, const std::string& passenger, const json& step) {
  const std::string kind = step["kind"];
  const bool queue = kind == "queue";
  const bool bad =
      step["failing"].get<std::int64_t>() > 0 || step["quarantined"].get<std::int64_t>() > 0;
  std::string html = "<div class=\"flow-box flow-" + kind + (bad ? " flow-bad" : "") + "\">";
  html += "<div class=\"flow-kind\">" + escape_html(kind) + "</div>";
  html += "<div class=\"flow-module\">" + escape_html(step["module"].get<std::string>()) + "</div>";
  html += "<a class=\"flow-count\" href=\"" + queue_link(client, passenger, "incomplete") + "\">" +
          count_text(step["waiting"]) + (queue ? " open" : " waiting") + "</a>";
  if (step["failing"].get<std::int64_t>() > 0) {
    html += "<a class=\"flow-failing\" href=\"" + queue_link(client, passenger, "failing") + "\">" +
            count_text(step["failing"]) + " failing</a>";
  }
  if (step["quarantined"].get<std::int64_t>() > 0) {
    html += "<a class=\"flow-failing\" href=\"" + queue_link(client, passenger, "quarantined") +
            "\">" + count_text(step["quarantined"]) + " quarantined</a>";
  }
  return html + "</div>";
}

std::string flow_html(const std::string& client, const json& p) {
  const std::string passenger = p["passenger"];
  std::string html = "<div class=\"flow\">";
  bool first = true;
  auto arrow = [&] {
    if (!first) html += "<span class=\"flow-arrow\" aria-hidden=\"true\">→</span>";
    first = false;
  };
  for (const json& s : p["steps"]) {
    if (s["kind"] != "puller") continue;
    arrow();
    html += flow_box(client, passenger, s);
  }
  arrow();
  html += flow_box(client, passenger, p["queue"]);
  for (const json& s : p["steps"]) {
    if (s["kind"] == "puller") continue;
    arrow();
    html += flow_box(client, passenger, s);
  }
  html += "</div>";
  if (p["capped"].get<bool>()) {
    html += "<p class=\"hint\">Steps counted over the oldest 5000 open entries.</p>";
  }
  return html;
}

std::string charts_html(const json& p) {
  ChartSeries pulled{"pulled", "#2457c5", {}}, pushed{"pushed", "#1f7a3f", {}},
      failed{"failed", "#b42318", {}}, duration{"average drive", "#9a6700", {}};
  std::int64_t totals[4] = {0, 0, 0, 0};  // Pulled, pushed, failed, drives.
  for (const json& b : p["history"]["buckets"]) {
    pulled.values.push_back(b["pulled"].get<double>());
    pushed.values.push_back(b["pushed"].get<double>());
    failed.values.push_back(b["failed"].get<double>());
    duration.values.push_back(b["average_drive_seconds"].get<double>());
    int i = 0;
    for (const char* key : {"pulled", "pushed", "failed", "drives"}) {
      totals[i++] += b[key].get<std::int64_t>();
    }
  }
  const std::string passenger = p["passenger"];
  std::string sums = "<p class=\"totals\">Last 24 hours:";
  int i = 0;
  for (const char* key : {"pulled", "pushed", "failed", "drives"}) {
    sums += std::string(i ? "," : "") + " <strong class=\"total-" + key + "\">" +
            std::to_string(totals[i]) + "</strong> " + key;
    ++i;
  }
  return sums + "</p><div class=\"charts\"><div>" +
         line_chart_svg("Passengers of " + passenger + ", last 24 hours", {pulled, pushed, failed},
                        "passengers") +
         "</div><div>" +
         line_chart_svg("Drive durations of " + passenger + ", last 24 hours", {duration},
                        "seconds, average") +
         "</div></div>";
}

// The part the script replaces.
std::string passengers_html(WebState& st, const std::string& client) {
  const json d = service::dashboard(st, client, Clock::now());
  std::string html;
  if (d["passengers"].empty()) html += "<p class=\"hint\">This client has no passenger types.</p>";
  for (const json& p : d["passengers"]) {
    html += "<section class=\"card\"><h2>" + escape_html(p["passenger"].get<std::string>()) +
            "</h2>" + flow_html(client, p) + charts_html(p) + "</section>";
  }
  return html;
}

void dashboard_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  // render_page() writes the title as the page's heading.
  std::string body = "<div id=\"dashboard\" data-refresh=\"" +
                     escape_html(client_url(c, "dashboard/fragment")) + "\">" +
                     passengers_html(st, c) + "</div>";
  body += live_tail_panel(c);
  send_html(res, render_page(st, &who, {"Dashboard", c, "dashboard", body}));
}

}  // namespace

std::string live_tail_panel(const std::string& client_id) {
  return "<section class=\"card\"><h2>Recent activity</h2><p class=\"hint\">Log lines of the "
         "drives running on this node, as they are written.</p><ol class=\"tail\" "
         "data-tail=\"/api/v1/clients/" +
         escape_html(url_encode(client_id)) + "/tail\" data-logs=\"" +
         escape_html(client_url(client_id, "logs")) + "\"></ol></section>";
}

void add_dashboard_pages(httplib::Server& server, WebState& st) {
  server.Get(R"(/c/([^/]+)/dashboard)",
             page(st, [&st](const Request& req, Response& res) { dashboard_page(st, req, res); }));
  server.Get(R"(/c/([^/]+)/dashboard/fragment)", page(st, [&st](const Request& req, Response& res) {
               const std::string c = req.matches[1];
               page_reader(st, req, res, c);
               send_html(res, passengers_html(st, c));
             }));
}

}  // namespace databus::web
