// Pages: queue (per passenger type), entry detail with clickable statuses,
// attachments, logs.

#include "databus/attachment_content.h"
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

std::string step_cell(const Principal& who, const std::string& c, const std::string& id,
                      const std::string& step, const json& st) {
  const std::string status = s(st["status"]);
  std::string out =
      "<tr><td>" + escape_html(step) + "</td><td>" + escape_html(s(st["module"])) + "</td><td>";
  if (who.admin()) {
    const std::string flipped = status == "complete" ? "incomplete" : "complete";
    out += post_button(who, client_url(c, "queue/" + id + "/status"), status,
                       {{"step", step}, {"module", s(st["module"])}, {"status", flipped}},
                       "status status-" + status);
  } else {
    out += badge(status);
  }
  const bool quarantined = st.value("quarantined", false);
  if (quarantined) out += " " + badge("quarantined");
  out += "</td><td>" + escape_html(s(st["attempts"])) + "</td><td>" +
         escape_html(s(st["last_error"])) + "</td><td class=\"nowrap\">";
  // A quarantined step has no next attempt: only a person's retry runs it.
  if (quarantined) {
    out += "only when retried";
  } else if (status != "complete" && !st.value("next_attempt", json()).is_null()) {
    out += escape_html(display_time(s(st["next_attempt"])));
  } else {
    out += "–";
  }
  out += "</td><td>";
  const bool failed =
      quarantined || st.value("attempts", 0) > 0 || !st.value("next_attempt", json()).is_null();
  if (step != "notified" && status != "complete" && failed) {
    out += retry_step_button(who, c, id, step, s(st["module"]));
  }
  return out + "</td></tr>";
}

// The badges of an entry's state in the queue list.
std::string state_badges(const json& e) {
  std::string out = badge(e["complete"].get<bool>() ? "complete" : "incomplete");
  if (e.value("quarantined", false)) out += " " + badge("quarantined");
  if (e.value("failing", false)) out += " " + badge("failing");
  return out;
}

std::string pager(const std::string& base, std::size_t offset, std::size_t limit,
                  std::size_t total) {
  std::string out = "<div class=\"pager\"><span>" +
                    (total == 0 ? std::string("0")
                                : std::to_string(offset + 1) + "–" +
                                      std::to_string(std::min(offset + limit, total))) +
                    " of " + std::to_string(total) + "</span>";
  if (offset > 0) {
    out += "<a class=\"button\" href=\"" +
           escape_html(base + "&offset=" + std::to_string(offset > limit ? offset - limit : 0)) +
           "\">Previous</a>";
  }
  if (offset + limit < total) {
    out += "<a class=\"button\" id=\"next-page\" href=\"" +
           escape_html(base + "&offset=" + std::to_string(offset + limit)) + "\">Next</a>";
  }
  return out + "</div>";
}

void queue_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  const json types = service::passengers(st, c, false)["passengers"];
  service::QueueQuery q;
  q.passenger = query(req, "passenger", types.empty() ? "" : s(types[0]["passenger"]));
  std::string body = "<nav class=\"tabs\">";
  for (const json& t : types) {
    const std::string name = s(t["passenger"]);
    body += "<a href=\"" + escape_html(client_url(c, "queue?passenger=" + url_encode(name))) +
            "\"" + (name == q.passenger ? " class=\"active\"" : "") + ">" + escape_html(name) +
            "</a>";
  }
  body += "</nav>";
  if (types.empty()) {
    body += "<p>No passenger types configured.</p>";
    send_html(res, render_page(st, &who, PageFrame{"Queue", c, "queue", body}));
    return;
  }
  q.search = query(req, "search");
  q.filter = query(req, "filter", "all");
  q.newest_first = query(req, "order", "newest") != "oldest";
  q.offset = query_number(req, "offset", 0);
  q.limit = std::min<std::size_t>(query_number(req, "limit", 50), 500);
  const json data = service::queue(st, c, q);
  const auto option = [](const std::string& value, const std::string& current) {
    return "<option value=\"" + escape_html(value) + "\"" + (value == current ? " selected" : "") +
           ">" + escape_html(value) + "</option>";
  };
  body += "<form class=\"filters\" method=\"get\" action=\"" + escape_html(client_url(c, "queue")) +
          "\"><input type=\"hidden\" name=\"passenger\" value=\"" + escape_html(q.passenger) +
          "\"><input type=\"search\" name=\"search\" placeholder=\"external id, source, internal "
          "id\" value=\"" +
          escape_html(q.search) + "\"><select name=\"filter\">" + option("all", q.filter) +
          option("incomplete", q.filter) + option("complete", q.filter) +
          option("failing", q.filter) + option("waiting", q.filter) +
          option("quarantined", q.filter) + "</select><select name=\"order\">" +
          option("newest", s(data["order"])) + option("oldest", s(data["order"])) +
          "</select><button type=\"submit\">Show</button></form>";
  if (who.admin()) {
    body += "<div class=\"actions\">" +
            post_button(who, client_url(c, "queue/purge"), "Purge completed",
                        {{"passenger", q.passenger}}, "danger",
                        "Delete every completed entry of this passenger type?") +
            "</div>";
  }
  if (q.filter == "quarantined") {
    std::vector<std::string> modules;
    for (const json& t : types) {
      if (s(t["passenger"]) != q.passenger) continue;
      for (const json& m : t["processors"]) modules.push_back(s(m));
      for (const json& m : t["pushers"]) modules.push_back(s(m));
    }
    body +=
        "<p class=\"hint\">Quarantined steps run again only when retried here or on an "
        "entry's page.</p>" +
        bulk_retry_form(who, c, q.passenger, modules);
  }
  body +=
      "<div class=\"table-wrap\"><table id=\"queue\"><thead><tr><th>External id</th>"
      "<th>Source</th><th>Pulled</th><th>Notified</th><th>Status</th></tr></thead><tbody>";
  for (const json& e : data["entries"]) {
    body += "<tr><td><a href=\"" + escape_html(client_url(c, "queue/" + s(e["internal_id"]))) +
            "\">" + escape_html(s(e["external_id"])) + "</a><div class=\"muted mono\">" +
            escape_html(s(e["internal_id"])) + "</div></td><td>" +
            escape_html(s(e["source_system"])) + "</td><td>" +
            escape_html(display_time(s(e["pull_datetime"]))) + "</td><td>" +
            (e["puller_notified"].get<bool>() ? "yes" : "no") + "</td><td>" + state_badges(e) +
            "</td></tr>";
  }
  if (data["entries"].empty()) body += "<tr><td colspan=\"5\">No entries.</td></tr>";
  body += "</tbody></table></div>";
  body += pager(
      client_url(c, "queue?passenger=" + url_encode(q.passenger) +
                        "&search=" + url_encode(q.search) + "&filter=" + url_encode(q.filter) +
                        "&order=" + s(data["order"]) + "&limit=" + std::to_string(q.limit)),
      q.offset, data["limit"].get<std::size_t>(), data["total"].get<std::size_t>());
  send_html(res, render_page(st, &who, PageFrame{"Queue", c, "queue", body}));
}

void entry_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const std::string id = req.matches[2];
  const Principal who = page_reader(st, req, res, c);
  const json e = service::entry(st, c, id);
  const auto row = [](const std::string& k, const std::string& v) {
    return "<tr><th>" + escape_html(k) + "</th><td>" + v + "</td></tr>";
  };
  std::string body =
      "<p><a href=\"" +
      escape_html(client_url(c, "queue?passenger=" + url_encode(s(e["passenger_module"])))) +
      "\">← Queue of " + escape_html(s(e["passenger_module"])) +
      "</a></p>"
      "<div class=\"table-wrap\"><table class=\"kv\">" +
      row("External id", escape_html(s(e["external_id"]))) +
      row("Internal id", "<span class=\"mono\">" + escape_html(s(e["internal_id"])) + "</span>") +
      row("Source system", escape_html(s(e["source_system"]))) +
      row("Puller", escape_html(s(e["puller_module"]))) +
      row("Pulled", escape_html(display_time(s(e["pull_datetime"])))) +
      row("State", state_badges(e)) + "</table></div><h2>Steps</h2>";
  if (e.value("failing", false) || e.value("quarantined", false)) {
    body += "<div class=\"actions\">" + retry_entry_button(who, c, id) + "</div>";
  }
  body +=
      "<div class=\"table-wrap\"><table id=\"steps\"><thead><tr><th>Step</th><th>Module</th>"
      "<th>Status</th><th>Failed runs</th><th>Last error</th><th>Next attempt</th><th></th>"
      "</tr></thead><tbody>";
  const json notified{{"module", s(e["puller_module"])},
                      {"status", e["puller_notified"].get<bool>() ? "complete" : "incomplete"},
                      {"attempts", 0},
                      {"last_error", ""}};
  body += step_cell(who, c, id, "notified", notified);
  for (const json& p : e["processor_statuses"]) body += step_cell(who, c, id, "processor", p);
  for (const json& p : e["pusher_statuses"]) body += step_cell(who, c, id, "pusher", p);
  body += "</tbody></table></div><h2>Attachments</h2><ul class=\"list\" id=\"attachments\">";
  for (const json& a : e["attachments"]) {
    const std::string url =
        client_url(c, "queue/" + id + "/attachments/" + url_encode(s(a["name"])));
    body += "<li><a href=\"" + escape_html(url + "?view=1") + "\">" + escape_html(s(a["name"])) +
            "</a> <span class=\"muted\">" + escape_html(s(a["format"])) + ", " +
            human_bytes(a["size"].get<double>()) + "</span> <a class=\"button\" href=\"" +
            escape_html(url) + "\">Download</a></li>";
  }
  if (e["attachments"].empty()) body += "<li>None.</li>";
  body += "</ul><h2>Logs</h2><ul class=\"list\" id=\"entry-logs\">";
  for (const json& g : e["log_guids"]) {
    body += "<li><a class=\"mono\" href=\"" + escape_html(client_url(c, "logs/" + s(g))) + "\">" +
            escape_html(s(g)) + "</a></li>";
  }
  if (e["log_guids"].empty()) body += "<li>None.</li>";
  if (e.value("log_guids_dropped", std::uint64_t{0}) > 0) {
    body += "<li class=\"muted\">and " + e["log_guids_dropped"].dump() +
            " earlier log(s), no longer listed</li>";
  }
  body += "</ul>";
  send_html(res,
            render_page(st, &who, PageFrame{"Entry " + s(e["external_id"]), c, "queue", body}));
}

bool is_image(const std::string& content) {
  return content.starts_with("\x89PNG\r\n\x1a\n") || content.starts_with("\xFF\xD8\xFF") ||
         content.starts_with("GIF8");
}

void attachment_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const std::string id = req.matches[2];
  const std::string name = req.matches[3];
  const Principal who = page_reader(st, req, res, c);
  const Attachment a = service::attachment(st, c, id, name);
  const bool text = a.format == AttachmentFormat::text;
  if (query(req, "view") != "1") {
    send_attachment(res, a, query(req, "inline") == "1");
    return;
  }
  const std::string url = client_url(c, "queue/" + id + "/attachments/" + url_encode(a.name));
  std::string body = "<p><a href=\"" + escape_html(client_url(c, "queue/" + id)) +
                     "\">← Entry</a> · <a class=\"button\" href=\"" + escape_html(url) +
                     "\">Download</a></p>";
  if (a.spool != nullptr) {
    // Never loaded whole into a page: only offered for download.
    body += "<p id=\"attachment-large\">Large attachment, " + std::to_string(content_size(a)) +
            " bytes (" + human_bytes(static_cast<double>(content_size(a))) +
            "): download it to open.</p>";
  } else if (text) {
    body += "<pre id=\"attachment-text\">" + escape_html(a.content) + "</pre>";
  } else if (is_image(a.content)) {
    body += "<img class=\"attachment\" alt=\"" + escape_html(a.name) + "\" src=\"" +
            escape_html(url + "?inline=1") + "\">";
  } else {
    body += "<p>Binary content, " + human_bytes(static_cast<double>(a.content.size())) +
            ": download it to open.</p>";
  }
  send_html(res, render_page(st, &who, PageFrame{"Attachment " + a.name, c, "queue", body}));
}

void logs_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  const std::string type = query(req, "type");
  const std::size_t offset = query_number(req, "offset", 0);
  const json data = service::logs(st, c, offset, 50, type);
  std::string body = "<form class=\"filters\" method=\"get\" action=\"" +
                     escape_html(client_url(c, "logs")) + "\"><select name=\"type\">";
  for (const std::string t : {"", "info", "warning", "error"}) {
    body += "<option value=\"" + t + "\"" + (t == type ? " selected" : "") + ">" +
            (t.empty() ? "any worst type" : t) + "</option>";
  }
  body += "</select><button type=\"submit\">Show</button></form>";
  if (who.admin()) {
    body += "<div class=\"actions\">" +
            post_button(who, client_url(c, "logs/purge"), "Purge logs", {}, "danger",
                        "Delete every log of this client?") +
            "</div>";
  }
  body +=
      "<div class=\"table-wrap\"><table id=\"logs\"><thead><tr><th>Created</th><th>Worst type</th>"
      "<th>Log</th></tr></thead><tbody>";
  for (const json& l : data["logs"]) {
    body += "<tr><td>" + escape_html(display_time(s(l["created"]))) + "</td><td>" +
            badge(s(l["worst_type"])) + "</td><td><a class=\"mono\" href=\"" +
            escape_html(client_url(c, "logs/" + s(l["guid"]))) + "\">" + escape_html(s(l["guid"])) +
            "</a></td></tr>";
  }
  if (data["logs"].empty()) body += "<tr><td colspan=\"3\">No logs.</td></tr>";
  body += "</tbody></table></div>" + pager(client_url(c, "logs?type=" + url_encode(type)), offset,
                                           50, data["total"].get<std::size_t>());
  send_html(res, render_page(st, &who, PageFrame{"Logs", c, "logs", body}));
}

void log_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  const json l = service::log(st, c, req.matches[2]);
  std::string body = "<p>Created " + escape_html(display_time(s(l["created"]))) + " · worst type " +
                     badge(s(l["worst_type"])) +
                     "</p><div class=\"table-wrap\"><table id=\"log\">"
                     "<thead><tr><th>Time</th><th>Type</th><th>Source</th><th>Message</th></tr>"
                     "</thead><tbody>";
  for (const json& e : l["entries"]) {
    body += "<tr><td class=\"nowrap\">" + escape_html(s(e["time"])) + "</td><td>" +
            badge(s(e["type"])) + "</td><td>" + escape_html(s(e["source"])) + "</td><td>" +
            escape_html(s(e["message"])) + "</td></tr>";
  }
  body += "</tbody></table></div>";
  send_html(res, render_page(st, &who, PageFrame{"Log " + s(l["guid"]), c, "logs", body}));
}

}  // namespace

void send_attachment(Response& res, const Attachment& attachment, bool inline_image) {
  const std::string& name = attachment.name;
  const std::string& content = attachment.content;
  const bool text = attachment.format == AttachmentFormat::text;
  const std::string file = safe_download_name(name);
  // The content is whatever a source system sent: never let a browser run it.
  res.headers.erase("Content-Security-Policy");  // Replaces the default one.
  res.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
  if (inline_image && is_image(content)) {
    const char* type = content.starts_with("\x89PNG") ? "image/png"
                       : content.starts_with("GIF8")  ? "image/gif"
                                                      : "image/jpeg";
    res.set_header("Content-Disposition", "inline; filename=\"" + file + "\"");
    res.set_content(content, type);
    return;
  }
  res.set_header("Content-Disposition",
                 "attachment; filename=\"" + file + "\"; filename*=UTF-8''" + url_encode(name));
  const char* type = text ? "text/plain; charset=utf-8" : "application/octet-stream";
  if (attachment.spool == nullptr) {
    res.set_content(content, type);
    return;
  }
  // Streamed after the handler returns: the provider holds its own handle.
  auto reader =
      std::make_shared<std::pair<Attachment, std::unique_ptr<ContentReader>>>(attachment, nullptr);
  res.set_content_provider(static_cast<std::size_t>(content_size(attachment)), type,
                           [reader](std::size_t, std::size_t, httplib::DataSink& sink) {
                             if (!reader->second)
                               reader->second = std::make_unique<ContentReader>(reader->first);
                             const std::string_view chunk = reader->second->next();
                             return !chunk.empty() && sink.write(chunk.data(), chunk.size());
                           });
}

void add_queue_pages(httplib::Server& server, WebState& st) {
  const std::string c = R"(/c/([^/]+))";
  server.Get(c + "/queue",
             page(st, [&st](const Request& req, Response& res) { queue_page(st, req, res); }));
  server.Post(c + "/queue/purge", page(st, [&st](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const Principal who = page_changer(st, req, res, client);
                const std::string passenger = query(req, "passenger");
                const std::size_t n = service::purge_completed(st, client, passenger);
                flash(st, who, "Purged " + std::to_string(n) + " completed entries.");
                redirect(res, client_url(client, "queue?passenger=" + url_encode(passenger)));
              }));
  server.Get(c + "/queue/([^/]+)",
             page(st, [&st](const Request& req, Response& res) { entry_page(st, req, res); }));
  server.Post(c + "/queue/([^/]+)/status", page(st, [&st](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const std::string id = req.matches[2];
                const Principal who = page_changer(st, req, res, client);
                service::set_status(st, client, id, query(req, "step"), query(req, "module"),
                                    query(req, "status"));
                flash(st, who,
                      "Status of " + query(req, "step") + " " + query(req, "module") + " set to " +
                          query(req, "status") + ".");
                redirect(res, client_url(client, "queue/" + id));
              }));
  server.Get(c + "/queue/([^/]+)/attachments/([^/]+)",
             page(st, [&st](const Request& req, Response& res) { attachment_page(st, req, res); }));
  server.Get(c + "/logs",
             page(st, [&st](const Request& req, Response& res) { logs_page(st, req, res); }));
  server.Post(c + "/logs/purge", page(st, [&st](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const Principal who = page_changer(st, req, res, client);
                flash(st, who,
                      "Purged " + std::to_string(service::purge_logs(st, client)) + " logs.");
                redirect(res, client_url(client, "logs"));
              }));
  server.Get(c + "/logs/([^/]+)",
             page(st, [&st](const Request& req, Response& res) { log_page(st, req, res); }));
}

}  // namespace databus::web
