// Pages: login, logout, passengers, peek, about (pages_queue.cc,
// pages_admin.cc and pages_system.cc hold the rest), and the shared page
// helpers.

#include <charconv>
#include <map>

#include "databus/error.h"
#include "web/error_status.h"
#include "web/html.h"
#include "web/login.h"
#include "web/pages_common.h"
#include "web/redirect_target.h"
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

void login_page(WebState& st, const Request& req, Response& res, const std::string& error,
                int status) {
  bool new_pre_session = false;
  const std::string pre_session = login_pre_session(req, &new_pre_session);
  if (new_pre_session) res.set_header("Set-Cookie", login_cookie(st, pre_session));
  std::string body = "<form class=\"card login\" method=\"post\" action=\"/login\">";
  if (!error.empty())
    body += "<div class=\"banner error\" role=\"alert\">" + escape_html(error) + "</div>";
  body += "<input type=\"hidden\" name=\"login_csrf\" value=\"" +
          login_form_token(st, pre_session) + "\">";
  body += "<input type=\"hidden\" name=\"next\" value=\"" +
          escape_html(same_site_target(query(req, "next", "/"))) +
          "\">"
          "<label>Client <input name=\"client\" id=\"client\" required value=\"" +
          escape_html(query(req, "client")) +
          "\" autocomplete=\"organization\"></label>"
          "<label>User <input name=\"username\" id=\"username\" autocomplete=\"username\"></label>"
          "<label>Password <input type=\"password\" name=\"password\" id=\"password\" "
          "autocomplete=\"current-password\"></label>"
          "<button type=\"submit\" class=\"primary\">Log in</button>"
          "<p class=\"hint\">A client without users has authentication off: any user name "
          "and password let you in.</p></form>";
  send_html(res, render_page(st, nullptr, PageFrame{"Log in", "", "", body}), status);
}

std::string schedule_cell(const json& sched, const char* key) {
  if (sched.is_null() || !sched.contains(key) || sched[key].is_null()) return "–";
  return escape_html(display_time(s(sched[key])));
}

// The count of a passenger type's failing or quarantined entries, linking
// to the queue filtered by it; a plain 0 when there is none.
std::string failure_count(const std::string& c, const std::string& passenger,
                          const std::string& filter, const json& p) {
  const std::size_t n = p.value(filter, std::size_t{0});
  if (n == 0) return "<span class=\"muted count-" + filter + "\">0</span>";
  return "<a class=\"count count-" + filter + "\" href=\"" +
         escape_html(
             client_url(c, "queue?passenger=" + url_encode(passenger) + "&filter=" + filter)) +
         "\">" + badge(filter) + " " + std::to_string(n) + "</a>";
}

void passengers_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  const json data = service::passengers(st, c);
  const json client_health = service::client_health(st, c, Clock::now());
  std::map<std::string, json> health;
  for (const json& p : client_health["passengers"]) health[s(p["passenger"])] = p;
  std::string body =
      "<p>Dispatcher " + badge(s(data["state"])) +
      "</p>"
      "<div class=\"table-wrap\"><table><thead><tr><th>Passenger type</th>"
      "<th>Every</th><th>Last drive</th><th>Result</th><th>Next due</th>"
      "<th>Pullers</th><th>Failing</th><th>Quarantined</th><th></th></tr></thead><tbody>";
  for (const json& p : data["passengers"]) {
    const std::string name = s(p["passenger"]);
    const json sched = p.value("schedule", json());
    body += "<tr><td><strong>" + escape_html(name) + "</strong><div class=\"muted\">" +
            escape_html(std::to_string(p["pullers"].size())) + " puller(s), " +
            escape_html(std::to_string(p["processors"].size())) + " processor(s), " +
            escape_html(std::to_string(p["pushers"].size())) + " pusher(s)</div></td><td>" +
            escape_html(s(p["sync_frequency"])) + " min</td><td>" +
            schedule_cell(sched, "last_drive_end") + "</td><td>" +
            (sched.is_null() || sched["last_worst_type"].is_null()
                 ? std::string("–")
                 : badge(s(sched["last_worst_type"]))) +
            (!sched.is_null() && sched["running"].get<bool>() ? " " + badge("running") : "") +
            "</td><td>" + schedule_cell(sched, "next_due") + "</td><td>" +
            puller_health_cell(health[name]) + "</td><td>" + failure_count(c, name, "failing", p) +
            "</td><td>" + failure_count(c, name, "quarantined", p) + "</td><td class=\"actions\">" +
            "<a class=\"button\" href=\"" +
            escape_html(client_url(c, "queue?passenger=" + url_encode(name))) + "\">Queue</a>" +
            "<a class=\"button\" href=\"" + escape_html(client_url(c, "peek/" + url_encode(name))) +
            "\">Peek</a>";
    if (who.admin()) {
      body += post_button(who, client_url(c, "passengers/" + url_encode(name) + "/expedite"),
                          "Expedite", {}, "primary");
    }
    body += "</td></tr>";
  }
  if (data["passengers"].empty())
    body += "<tr><td colspan=\"9\">No passenger types configured.</td></tr>";
  body += "</tbody></table></div>" + live_tail_panel(c);
  send_html(res, render_page(st, &who, PageFrame{"Passengers", c, "passengers", body}));
}

void peek_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const std::string p = req.matches[2];
  const Principal who = page_reader(st, req, res, c);
  const json data = service::peek(st, c, p);
  std::string body = "<p class=\"muted\">What waits in each source of <strong>" + escape_html(p) +
                     "</strong>, without taking it.</p>";
  for (const json& puller : data["pullers"]) {
    body += "<section class=\"card\"><h2>" + escape_html(s(puller["module"])) + "</h2>";
    if (puller.contains("error")) {
      body += "<div class=\"banner error\">" + escape_html(s(puller["error"])) + "</div>";
    }
    if (puller["passengers"].empty()) body += "<p>Nothing waiting.</p>";
    for (const json& found : puller["passengers"]) {
      body += "<details class=\"peek\"><summary>" + escape_html(s(found["source_system"])) + " – " +
              escape_html(s(found["external_id"])) + " (" +
              std::to_string(found["attachments"].size()) + " attachment(s))</summary>";
      for (const json& a : found["attachments"]) {
        body += "<h3>" + escape_html(s(a["name"])) + " <span class=\"muted\">" +
                escape_html(s(a["format"])) + ", " + human_bytes(a["size"].get<double>()) +
                "</span></h3>";
        if (a.contains("text")) body += "<pre>" + escape_html(s(a["text"])) + "</pre>";
      }
      body += "</details>";
    }
    body += "</section>";
  }
  send_html(res, render_page(st, &who, PageFrame{"Peek: " + p, c, "passengers", body}));
}

void about_page(WebState& st, const Request& req, Response& res) {
  const std::optional<Principal> who = identify(st, req);
  if (!who) throw HttpError(401, "login required");
  const json a = service::about(st);
  const auto row = [](const std::string& k, const std::string& v) {
    return "<tr><th>" + escape_html(k) + "</th><td>" + v + "</td></tr>";
  };
  const long up = a["uptime_seconds"].get<long>();
  std::string disk = "unknown";
  if (!a["disk"].is_null()) {
    disk = human_bytes(a["disk"]["available"].get<double>()) + " free of " +
           human_bytes(a["disk"]["capacity"].get<double>());
  }
  std::string body =
      "<div class=\"table-wrap\"><table class=\"kv\" id=\"about\">" +
      row("Version", escape_html(s(a["version"]))) +
      row("Engine", escape_html(s(a["engine_description"]))) +
      row("Started", escape_html(display_time(s(a["started"])))) +
      row("Uptime", std::to_string(up / 86400) + " d " + std::to_string(up % 86400 / 3600) + " h " +
                        std::to_string(up % 3600 / 60) + " min") +
      row("Host", escape_html(s(a["host"]))) +
      row("Data directory", escape_html(s(a["data_dir"]))) + row("Disk", escape_html(disk)) +
      row("Dispatcher", badge(s(a["state"]))) + row("Workers", escape_html(s(a["workers"]))) +
      "</table></div>";
  send_html(res, render_page(st, &*who, PageFrame{"About", who->client_id, "about", body}));
}

}  // namespace

PageHandler page(WebState& state, PageHandler handler) {
  return [&state, handler](const Request& req, Response& res) {
    ErrorStatus error;
    try {
      handler(req, res);
      return;
    } catch (...) {
      error = handle_error(state, req, std::current_exception());
    }
    const int status = error.status;
    const std::string& message = error.message;
    if (status == 401 && req.method == "GET") {
      redirect(res, "/login?next=" + url_encode(req.path));
      return;
    }
    const std::optional<Principal> who = identify(state, req);
    const std::string body = "<div class=\"banner error\" role=\"alert\">" + escape_html(message) +
                             "</div><p><a href=\"/\">Back</a></p>";
    send_html(res,
              render_page(state, who ? &*who : nullptr,
                          PageFrame{"Error " + std::to_string(status), "", "", body}),
              status);
    apply_error_status(error, res);
  };
}

void send_html(Response& res, const std::string& html, int status) {
  res.status = status;
  res.set_content(html, "text/html; charset=utf-8");
}

void redirect(Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", same_site_target(to));
}

Principal page_reader(WebState& s, const Request& req, Response& res, const std::string& c) {
  return authorize(s, req, res, c, Access::read, true);
}

Principal page_changer(WebState& s, const Request& req, Response& res, const std::string& c) {
  Principal who = authorize(s, req, res, c, Access::change, true);
  check_csrf(who, req, false);
  return who;
}

Principal page_operator(WebState& s, const Request& req, Response& res, const std::string& c) {
  Principal who = authorize(s, req, res, c, Access::operate, true);
  check_csrf(who, req, false);
  return who;
}

void flash(WebState& s, const Principal& who, const std::string& message) {
  if (!who.session_id.empty()) s.sessions.set_flash(who.session_id, message);
}

std::string query(const Request& req, const char* key, const std::string& fallback) {
  return req.has_param(key) ? req.get_param_value(key) : fallback;
}

std::size_t query_number(const Request& req, const char* key, std::size_t fallback) {
  const std::string text = query(req, key);
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return fallback;
  return value;
}

void add_page_routes(httplib::Server& server, WebState& st) {
  server.Get("/", page(st, [&st](const Request& req, Response& res) {
               const std::optional<Principal> who = identify(st, req);
               redirect(res, who ? client_url(who->client_id, "dashboard") : "/login");
             }));
  server.Get("/login", page(st, [&st](const Request& req, Response& res) {
               login_page(st, req, res, "", 200);
             }));
  server.Post("/login", page(st, [&st](const Request& req, Response& res) {
                const std::string client = query(req, "client");
                if (!login_form_valid(st, req)) {
                  // Not counted as a failed login: no password was checked.
                  login_page(st, req, res,
                             "The login form expired or did not come from this server; "
                             "please log in again.",
                             403);
                  return;
                }
                try {
                  const Session session = log_in(st, client, query(req, "username"),
                                                 query(req, "password"), req.remote_addr);
                  res.set_header("Set-Cookie", session_cookie(st, session.id));
                  res.set_header("Set-Cookie", login_cookie(st, ""));  // Used up.
                  const std::string next = same_site_target(query(req, "next", "/"));
                  redirect(res, next == "/" ? client_url(client, "dashboard") : next);
                } catch (const DefaultPasswordError& e) {
                  password_change_page(st, req, res, e.what(), e.status());
                } catch (const HttpError& e) {
                  if (e.retry_after() > 0)
                    res.set_header("Retry-After", std::to_string(e.retry_after()));
                  login_page(st, req, res, e.what(), e.status());
                }
              }));
  server.Post("/logout", page(st, [&st](const Request& req, Response& res) {
                const std::optional<Principal> who = identify(st, req);
                if (who && !who->session_id.empty()) {
                  check_csrf(*who, req, false);
                  st.sessions.remove(who->session_id);
                }
                res.set_header("Set-Cookie", session_cookie(st, ""));
                redirect(res, "/login");
              }));
  server.Get("/switch", page(st, [&st](const Request& req, Response& res) {
               const std::string c = query(req, "client");
               check_client_id_param(c);
               redirect(res, client_url(c, "dashboard"));
             }));
  server.Get(R"(/c/([^/]+)/?)", page(st, [](const Request& req, Response& res) {
               redirect(res, client_url(req.matches[1], "dashboard"));
             }));
  server.Get(R"(/c/([^/]+)/passengers)",
             page(st, [&st](const Request& req, Response& res) { passengers_page(st, req, res); }));
  server.Post(R"(/c/([^/]+)/passengers/([^/]+)/expedite)",
              page(st, [&st](const Request& req, Response& res) {
                const std::string c = req.matches[1];
                const Principal who = page_changer(st, req, res, c);
                service::expedite(st, c, req.matches[2]);
                flash(st, who, "Expedited " + std::string(req.matches[2]) + ": it is driven now.");
                redirect(res, client_url(c, "passengers"));
              }));
  server.Get(R"(/c/([^/]+)/peek/([^/]+))",
             page(st, [&st](const Request& req, Response& res) { peek_page(st, req, res); }));
  server.Get("/about",
             page(st, [&st](const Request& req, Response& res) { about_page(st, req, res); }));
  add_password_change_pages(server, st);
  add_system_pages(server, st);
  add_queue_pages(server, st);
  add_retry_pages(server, st);
  add_admin_pages(server, st);
  add_dashboard_pages(server, st);
}

}  // namespace databus::web
