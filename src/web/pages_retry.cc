// Pages: the retry forms of the queue and entry pages and what they post to
// (docs/api.md "Retry"; the service does the work, service.h).

#include "web/html.h"
#include "web/pages_common.h"
#include "web/service.h"

namespace databus::web {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

// "Retried 2 step(s) of 1 entry." or why nothing was.
std::string summary(const json& out) {
  const std::size_t steps = out["retried_steps"].get<std::size_t>();
  const std::size_t entries = out["retried_entries"].get<std::size_t>();
  if (steps == 0) return "No quarantined step matched: nothing was retried.";
  return "Retried " + std::to_string(steps) + " step(s) of " + std::to_string(entries) +
         (entries == 1 ? " entry" : " entries") +
         "; they run at the next drive, which is due now." +
         (out["log_guid"].is_null() ? " Their log could not be stored (the server's log says why)."
                                    : " The log lists them.");
}

}  // namespace

std::string retry_entry_button(const Principal& who, const std::string& c, const std::string& id) {
  return post_button(who, client_url(c, "queue/" + id + "/retry"), "Retry failed steps", {},
                     "primary retry-entry");
}

std::string retry_step_button(const Principal& who, const std::string& c, const std::string& id,
                              const std::string& step, const std::string& module) {
  return post_button(who, client_url(c, "queue/" + id + "/retry"), "Retry",
                     {{"step", step}, {"module", module}}, "retry-step");
}

std::string bulk_retry_form(const Principal& who, const std::string& c,
                            const std::string& passenger, const std::vector<std::string>& modules) {
  std::string out = "<form class=\"filters\" id=\"retry-quarantined\" method=\"post\" action=\"" +
                    escape_html(client_url(c, "queue/retry-quarantined")) +
                    "\" data-confirm=\"Retry the quarantined steps these fields pick?\">" +
                    csrf_input(who) + "<input type=\"hidden\" name=\"passenger\" value=\"" +
                    escape_html(passenger) +
                    "\"><select name=\"module\" aria-label=\"Module\"><option value=\"\">any "
                    "processor or pusher</option>";
  for (const std::string& m : modules) {
    out += "<option value=\"" + escape_html(m) + "\">" + escape_html(m) + "</option>";
  }
  return out +
         "</select><input type=\"search\" name=\"error_contains\" "
         "placeholder=\"last error contains (any case)\" aria-label=\"Last error contains\">"
         "<button type=\"submit\" class=\"primary\">Retry quarantined</button></form>";
}

void add_retry_pages(httplib::Server& server, WebState& st) {
  const std::string c = R"(/c/([^/]+))";
  // One entry: every failed step, or with the fields step and module that step.
  server.Post(c + "/queue/([^/]+)/retry", page(st, [&st](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const std::string id = req.matches[2];
                const Principal who = page_operator(st, req, res, client);
                const std::string step = query(req, "step");
                const json out = step.empty() ? service::retry_entry(st, client, id, who)
                                              : service::retry_step(st, client, id, step,
                                                                    query(req, "module"), who);
                flash(st, who, summary(out));
                redirect(res, client_url(client, "queue/" + id));
              }));
  server.Post(c + "/queue/retry-quarantined", page(st, [&st](const Request& req, Response& res) {
                const std::string client = req.matches[1];
                const Principal who = page_operator(st, req, res, client);
                service::BulkRetry bulk;
                bulk.passenger = query(req, "passenger");
                bulk.module = query(req, "module");
                bulk.error_contains = query(req, "error_contains");
                flash(st, who, summary(service::retry_quarantined(st, client, bulk, who)));
                redirect(res, client_url(client, "queue?passenger=" + url_encode(bulk.passenger) +
                                                     "&filter=quarantined"));
              }));
}

}  // namespace databus::web
