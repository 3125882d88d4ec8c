#include "web/page_layout.h"

#include <cstdio>

#include "databus/error.h"
#include "web/html.h"

namespace databus::web {
namespace {

bool auth_off(WebState& state, const std::string& client_id) {
  if (client_id.empty()) return false;
  try {
    return state.dispatcher.database().load_client(client_id).users.empty();
  } catch (const Error&) {
    return false;
  }
}

std::string nav_link(const std::string& href, const std::string& label, bool active) {
  return "<a href=\"" + escape_html(href) + "\"" + (active ? " class=\"active\"" : "") + ">" +
         escape_html(label) + "</a>";
}

}  // namespace

std::string client_url(const std::string& client_id, const std::string& rest) {
  return "/c/" + url_encode(client_id) + "/" + rest;
}

std::string csrf_input(const Principal& who) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + escape_html(who.csrf_token) + "\">";
}

std::string post_button(const Principal& who, const std::string& action, const std::string& label,
                        const std::vector<std::pair<std::string, std::string>>& fields,
                        const std::string& css_class, const std::string& confirm) {
  std::string out = "<form class=\"inline\" method=\"post\" action=\"" + escape_html(action) + "\"";
  if (!confirm.empty()) out += " data-confirm=\"" + escape_html(confirm) + "\"";
  out += ">" + csrf_input(who);
  for (const auto& [name, value] : fields) {
    out += "<input type=\"hidden\" name=\"" + escape_html(name) + "\" value=\"" +
           escape_html(value) + "\">";
  }
  out += "<button type=\"submit\"";
  if (!css_class.empty()) out += " class=\"" + escape_html(css_class) + "\"";
  return out + ">" + escape_html(label) + "</button></form>";
}

std::string badge(const std::string& word) {
  return "<span class=\"badge badge-" + escape_html(word) + "\">" + escape_html(word) + "</span>";
}

std::string display_time(const std::string& iso) {
  if (iso.size() < 19 || iso[10] != 'T') return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
}

std::string human_bytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buf;
}

std::string render_page(WebState& state, const Principal* who, const PageFrame& frame) {
  const std::string alias = state.dispatcher.ticket().system_alias;
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      escape_html(frame.title) + " · " + escape_html(alias) +
      "</title>"
      "<link rel=\"stylesheet\" href=\"/assets/style.css\">"
      "<link rel=\"icon\" href=\"/assets/favicon.svg\">"
      "<script src=\"/assets/app.js\" defer></script></head><body>"
      "<header class=\"top\"><div class=\"brand\"><span class=\"logo\">DB</span>"
      "<span class=\"alias\" id=\"system-alias\">" +
      escape_html(alias) + "</span></div>";
  if (who != nullptr) {
    html += "<div class=\"who\">";
    if (!frame.client_id.empty()) {
      html += "<span>client <strong>" + escape_html(frame.client_id) + "</strong></span>";
    }
    html += "<span>" +
            (who->anonymous() ? std::string("anonymous")
                              : escape_html(who->username) + " (" +
                                    escape_html(std::string(to_string(who->role))) + ")") +
            "</span>";
    html += post_button(*who, "/logout", "Log out", {}, "link", "") + "</div>";
  }
  html += "</header>";
  if (who != nullptr) {
    const std::string c = frame.client_id.empty() ? who->client_id : frame.client_id;
    html += "<nav class=\"main\">";
    const std::pair<const char*, const char*> items[] = {
        {"dashboard", "Dashboard"}, {"passengers", "Passengers"}, {"queue", "Queue"},
        {"logs", "Logs"},           {"users", "Users"},           {"customizing", "Customizing"},
        {"export", "Export"}};
    for (const auto& [key, label] : items) {
      html += nav_link(client_url(c, key), label, frame.active == key);
    }
    html += nav_link("/about", "About", frame.active == "about");
    if (who->root()) html += nav_link("/system", "System", frame.active == "system");
    if (who->root()) {
      html +=
          "<form class=\"client-switch\" method=\"get\" action=\"/switch\">"
          "<label>Client <select name=\"client\" id=\"client-switch\">";
      for (const std::string& id : state.dispatcher.database().client_ids()) {
        html += "<option value=\"" + escape_html(id) + "\"" + (id == c ? " selected" : "") + ">" +
                escape_html(id) + "</option>";
      }
      html += "</select></label><button type=\"submit\">Go</button></form>";
    }
    html += "</nav>";
  }
  html += "<main>";
  if (auth_off(state, frame.client_id)) {
    html += "<div class=\"banner warning\" role=\"alert\">Authentication is off for client " +
            escape_html(frame.client_id) +
            ": it has no users, so anyone who can reach this server may change it. Add a user "
            "under Customizing.</div>";
  }
  if (who != nullptr && !who->session_id.empty()) {
    const std::string flash = state.sessions.take_flash(who->session_id);
    if (!flash.empty()) {
      html += "<div class=\"banner info\" role=\"status\" id=\"flash\">" + escape_html(flash) +
              "</div>";
    }
  }
  html += "<h1>" + escape_html(frame.title) + "</h1>" + frame.body + "</main><footer>Databus · " +
          escape_html(alias) + "</footer></body></html>";
  return html;
}

}  // namespace databus::web
