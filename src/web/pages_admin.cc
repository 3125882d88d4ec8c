// Pages: users (+ revoke token, change password), customizing, export.

#include <optional>
#include <sstream>

#include "databus/config_version.h"
#include "web/export_jobs.h"
#include "web/html.h"
#include "web/pages_common.h"
#include "web/service.h"

namespace databus::web {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

std::string s(const json& j) {
  return j.is_string() ? j.get<std::string>() : j.is_null() ? "" : j.dump();
}

void users_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  const json data = service::users(st, c, who);
  std::string body =
      "<div class=\"table-wrap\"><table id=\"users\"><thead><tr><th>User</th>"
      "<th>Role</th><th>Password</th><th>Token</th><th></th></tr></thead><tbody>";
  for (const json& u : data["users"]) {
    const std::string name = s(u["username"]);
    const bool self = who.client_id == c && who.username == name;
    body += "<tr><td>" + escape_html(name) + (self ? " (you)" : "") + "</td><td>" +
            escape_html(s(u["role"])) + "</td><td>" +
            (u["password_hashed"].get<bool>() ? badge("hashed") : badge("plaintext")) + "</td><td>";
    if (u.contains("token")) {
      body += "<code class=\"token\">" + escape_html(s(u["token"])) + "</code>";
    } else {
      body += u["has_token"].get<bool>() ? "set" : "none";
    }
    body += "</td><td class=\"actions\">";
    if (who.admin()) {
      body +=
          post_button(who, client_url(c, "users/" + url_encode(name) + "/revoke-token"),
                      u["has_token"].get<bool>() ? "Revoke token" : "Issue token", {}, "",
                      "Replace the token of " + name + "? It logs " + name + " out everywhere.");
      body += "<form class=\"inline\" method=\"post\" action=\"" +
              escape_html(client_url(c, "users/" + url_encode(name) + "/password")) + "\">" +
              csrf_input(who) +
              "<input type=\"password\" name=\"password\" minlength=\"8\" required "
              "placeholder=\"new password\" autocomplete=\"new-password\">"
              "<button type=\"submit\">Set password</button></form>";
    }
    body += "</td></tr>";
  }
  if (data["users"].empty())
    body += "<tr><td colspan=\"5\">No users: authentication is off.</td></tr>";
  body +=
      "</tbody></table></div><p class=\"hint\">API clients send a user's token as "
      "<code>Authorization: Bearer TOKEN</code>. Add or remove users under Customizing.</p>";
  send_html(res, render_page(st, &who, PageFrame{"Users", c, "users", body}));
}

// What the node editor shows.
struct EditorContent {
  std::string text;     // In the text area.
  std::string version;  // Hidden field: the version the text is edited from ("": none).
  std::string about;    // When and by whom that version was saved; "": not shown.
  std::string error;    // A banner above the editor; "": none.
  // After an edit conflict: the current version's text, shown for comparison.
  std::optional<std::string> current;
};

// "Saved 2026-01-31 12:00:05 UTC by alice@demo." for a customizing_node() answer.
std::string about_version(const json& node) {
  if (node["saved"].is_null()) return "";
  return "Saved " + display_time(s(node["saved"])) +
         (node["saved_by"].is_null() ? "" : " by " + s(node["saved_by"])) + ".";
}

std::string editor(WebState& st, const Principal& who, const std::string& c,
                   const std::string& node, const EditorContent& content) {
  std::string body =
      "<p><a href=\"" + escape_html(client_url(c, "customizing")) + "\">← Customizing</a></p>";
  if (!content.error.empty()) {
    body += "<div class=\"banner error\" role=\"alert\" id=\"save-error\">" +
            escape_html(content.error) + "</div>";
  }
  if (content.current) {
    // The edit conflict (docs/api.md "Edit conflicts"): the form
    // now carries the current version, so saving again is a choice made
    // with both texts in view.
    body +=
        "<p class=\"hint\" id=\"conflict-hint\">Your text is in the editor below, not saved. "
        "Saving it again replaces the current version, shown here:</p>"
        "<details open id=\"current-version\"><summary>The current version</summary>"
        "<pre class=\"mono\">" +
        escape_html(*content.current) + "</pre></details>";
  }
  if (!content.about.empty()) {
    body += "<p class=\"hint\" id=\"node-version\">" + escape_html(content.about) + "</p>";
  }
  body += "<form method=\"post\" class=\"editor\" action=\"" +
          escape_html(client_url(c, "customizing/" + url_encode(node))) + "\">" + csrf_input(who) +
          "<input type=\"hidden\" name=\"version\" value=\"" + escape_html(content.version) +
          "\"><textarea name=\"text\" id=\"node-text\" spellcheck=\"false\" rows=\"28\"" +
          (who.admin() ? "" : " readonly") + ">" + escape_html(content.text) + "</textarea>";
  if (node == "__databus__") {
    // Checked as it is typed against the schema of the component specs
    // (config_editor_asset.cc); the save validates on the server all the same.
    body +=
        "<ul class=\"banner warning\" id=\"schema-problems\" hidden "
        "data-schema=\"/api/v1/schema\"></ul>"
        "<script src=\"/assets/config-editor.js\" defer></script>";
  }
  if (who.admin() && !who.root() && node == "__databus__") {
    // The text is one JSON document: its host settings cannot be locked one
    // by one, so the page says which they are and the save refuses changes.
    body +=
        "<p class=\"hint\" id=\"host-access-hint\">Settings that reach the host (an exec "
        "command, its arguments, environment and working directory; every file or folder path) "
        "and <code>host_access</code> are read-only here: they are set by root's "
        "administrators. A save that adds or changes one is refused, except within what root "
        "delegated in <code>host_access</code>.</p>";
  }
  if (who.admin()) {
    body +=
        "<button type=\"submit\" class=\"primary\" id=\"save\">Validate and save</button>"
        "<span class=\"hint\"> The current content is backed up first.</span>";
  }
  return body + "</form>";
}

void customizing_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  const json data = service::customizing_nodes(st, c, who);
  std::string body = "<ul class=\"list\" id=\"nodes\">";
  for (const json& n : data["nodes"]) {
    const std::string name = s(n["name"]);
    body += "<li><a href=\"" + escape_html(client_url(c, "customizing/" + url_encode(name))) +
            "\">" + escape_html(name) + "</a>" +
            (n["root_only"].get<bool>() ? " " + badge("root") : "") +
            (n["external"].get<bool>() ? " " + badge("file") : "") + "</li>";
  }
  body +=
      "</ul><h2>Backups</h2><div class=\"table-wrap\"><table id=\"backups\"><thead><tr>"
      "<th>Created</th><th>Node</th><th>Backup</th></tr></thead><tbody>";
  for (const json& b : data["backups"]) {
    body += "<tr><td>" + escape_html(display_time(s(b["created"]))) + "</td><td>" +
            escape_html(s(b["node"])) + "</td><td class=\"mono\">" + escape_html(s(b["id"])) +
            "</td></tr>";
  }
  if (data["backups"].empty()) body += "<tr><td colspan=\"3\">No backups.</td></tr>";
  body += "</tbody></table></div>";
  send_html(res, render_page(st, &who, PageFrame{"Customizing", c, "customizing", body}));
}

void node_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const std::string node = req.matches[2];
  const Principal who = page_reader(st, req, res, c);
  const json data = service::customizing_node(st, c, node, who);
  const EditorContent content{s(data["text"]), s(data["version"]), about_version(data), "", {}};
  send_html(res, render_page(st, &who,
                             PageFrame{"Customizing: " + node, c, "customizing",
                                       editor(st, who, c, node, content)}));
}

void save_node(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const std::string node = req.matches[2];
  const Principal who = page_changer(st, req, res, c);
  const std::string text = query(req, "text");
  // A form from before versions were handed out sends none: no check.
  const std::string version = query(req, "version");
  const auto show = [&](const EditorContent& content, int status) {
    send_html(res,
              render_page(st, &who,
                          PageFrame{"Customizing: " + node, c, "customizing",
                                    editor(st, who, c, node, content)}),
              status);
  };
  try {
    service::save_customizing(st, c, node, text, who, version);
  } catch (const EditConflictError& e) {
    // Saved by someone else since this text was loaded: nothing was saved.
    // The user's text stays; the current version is shown beside it.
    const json current = service::customizing_node(st, c, node, who);
    show(EditorContent{text, s(current["version"]), about_version(current), e.what(),
                       s(current["text"])},
         409);
    return;
  } catch (const HttpError& e) {
    // 403 on "__databus__" (never root only) is a refused host setting.
    if (e.status() != 422 && !(e.status() == 403 && node == "__databus__")) throw;
    // Show the rejected text again with the reason; nothing was saved. It is
    // still edited from the version it was loaded at.
    show(EditorContent{text, version, "", e.what(), {}}, e.status());
    return;
  }
  flash(st, who, "Saved " + node + " (the previous content was backed up).");
  redirect(res, client_url(c, "customizing/" + url_encode(node)));
}

void export_page(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_reader(st, req, res, c);
  std::string body = "<p>Engine in use: <strong>" +
                     escape_html(st.dispatcher.database().describe()) + "</strong></p>";
  if (!ExportJobs::available()) {
    body +=
        "<div class=\"banner info\" id=\"export-unavailable\">Export copies a client's "
        "data to another storage engine. It needs the SQL engines, which are not part of "
        "this build.</div>";
    send_html(res, render_page(st, &who, PageFrame{"Export", c, "export", body}));
    return;
  }
  const json status = st.exports.status();
  if (status.contains("client_id")) {
    body +=
        "<div class=\"card\" id=\"export-status\"><h2>Latest background export</h2><p>"
        "Client <strong>" +
        escape_html(s(status["client_id"])) + "</strong> to <strong>" +
        escape_html(s(status["engine"])) + "</strong>: ";
    if (status["running"].get<bool>()) {
      body += badge("running") + " " + escape_html(s(status["phase"])) + " " +
              escape_html(s(status["done"])) + " / " + escape_html(s(status["total"]));
    } else if (status.contains("error")) {
      body += badge("error") + " " + escape_html(s(status["error"]));
    } else if (status.contains("result")) {
      body += badge("complete") + " " + escape_html(s(status["result"]["entries"])) + " entries, " +
              escape_html(s(status["result"]["logs"])) + " logs, " +
              escape_html(s(status["result"]["backups"])) + " backups";
    }
    body += "</p></div>";
  }
  if (!who.root() || !who.admin()) {
    body +=
        "<p class=\"hint\">Only administrators of client root may export: it pauses every "
        "client's drives while it runs.</p>";
  } else {
    body += "<form method=\"post\" class=\"card export\" action=\"" +
            escape_html(client_url(c, "export")) + "\">" + csrf_input(who) +
            "<label>Target engine <input name=\"engine\" list=\"engines\" required "
            "value=\"sqlite\"></label><datalist id=\"engines\"><option value=\"sqlite\">"
            "<option value=\"postgresql\"><option value=\"json_db\"></datalist>"
            "<label>Arguments (KEY=VALUE per line; a path is relative to the data root)"
            "<textarea name=\"arguments\" rows=\"4\" spellcheck=\"false\"></textarea></label>"
            "<label><input type=\"radio\" name=\"mode\" value=\"sync\" checked> Wait for it"
            "</label><label><input type=\"radio\" name=\"mode\" value=\"async\"> In the "
            "background</label><button type=\"submit\" class=\"primary\">Export client " +
            escape_html(c) + "</button></form>";
  }
  send_html(res, render_page(st, &who, PageFrame{"Export", c, "export", body}));
}

void run_export(WebState& st, const Request& req, Response& res) {
  const std::string c = req.matches[1];
  const Principal who = page_changer(st, req, res, c);
  if (!who.root()) throw HttpError(403, "only administrators of client root may export");
  DatabaseArguments arguments;
  std::istringstream lines(query(req, "arguments"));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::size_t eq = line.find('=');
    if (eq == 0 || eq == std::string::npos) throw HttpError(400, "arguments are KEY=VALUE lines");
    arguments[line.substr(0, eq)] = line.substr(eq + 1);
  }
  const bool async = query(req, "mode") == "async";
  const json out = st.exports.run(c, query(req, "engine"), arguments, async);
  flash(st, who,
        async ? "Export started in the background."
              : "Exported " + s(out["entries"]) + " entries, " + s(out["logs"]) + " logs and " +
                    s(out["backups"]) + " backups.");
  redirect(res, client_url(c, "export"));
}

}  // namespace

void add_admin_pages(httplib::Server& server, WebState& st) {
  const std::string c = R"(/c/([^/]+))";
  server.Get(c + "/users",
             page(st, [&st](const Request& req, Response& res) { users_page(st, req, res); }));
  server.Post(c + "/users/([^/]+)/revoke-token", page(st, [&st](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const Principal who = page_changer(st, req, res, client);
                service::revoke_token(st, client, req.matches[2], who);
                const bool self =
                    who.client_id == client && who.username == std::string(req.matches[2]);
                if (self) {
                  // Revoking one's own token ends one's own session too.
                  redirect(res, "/login");
                  return;
                }
                flash(st, who, "New token issued for " + std::string(req.matches[2]) + ".");
                redirect(res, client_url(client, "users"));
              }));
  server.Post(c + "/users/([^/]+)/password", page(st, [&st](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const Principal who = page_changer(st, req, res, client);
                service::set_password(st, client, req.matches[2], query(req, "password"), who);
                flash(st, who,
                      "Password of " + std::string(req.matches[2]) + " changed (stored hashed).");
                redirect(res, client_url(client, "users"));
              }));
  server.Get(c + "/customizing", page(st, [&st](const Request& req, Response& res) {
               customizing_page(st, req, res);
             }));
  server.Get(c + "/customizing/([^/]+)",
             page(st, [&st](const Request& req, Response& res) { node_page(st, req, res); }));
  server.Post(c + "/customizing/([^/]+)",
              page(st, [&st](const Request& req, Response& res) { save_node(st, req, res); }));
  server.Get(c + "/export",
             page(st, [&st](const Request& req, Response& res) { export_page(st, req, res); }));
  server.Post(c + "/export",
              page(st, [&st](const Request& req, Response& res) { run_export(st, req, res); }));
}

}  // namespace databus::web
