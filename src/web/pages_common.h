// Helpers shared by the page route files (pages*.cc).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "web/access.h"
#include "web/http.h"
#include "web/page_layout.h"
#include "web/web_state.h"

namespace databus::web {

using PageHandler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Wraps a page handler: a 401 redirects to the login page (coming back
// afterwards), any other error renders an error page with the status (and
// Retry-After) the API would answer (error_status.h).
PageHandler page(WebState& state, PageHandler handler);

void send_html(httplib::Response& res, const std::string& html, int status = 200);
// 303 See Other to a local path.
void redirect(httplib::Response& res, const std::string& to);

// authorize() for pages; the changer also checks the CSRF token.
Principal page_reader(WebState& s, const httplib::Request& req, httplib::Response& res,
                      const std::string& client_id);
Principal page_changer(WebState& s, const httplib::Request& req, httplib::Response& res,
                       const std::string& client_id);
// authorize() with Access::operate (operators too) and the CSRF check: the
// retry forms.
Principal page_operator(WebState& s, const httplib::Request& req, httplib::Response& res,
                        const std::string& client_id);

// Shows `message` once on the next page of the session.
void flash(WebState& s, const Principal& who, const std::string& message);

std::string query(const httplib::Request& req, const char* key, const std::string& fallback = "");
std::size_t query_number(const httplib::Request& req, const char* key, std::size_t fallback);

void add_queue_pages(httplib::Server& server, WebState& state);
void add_retry_pages(httplib::Server& server, WebState& state);

// The retry forms (pages_retry.cc): one entry, one step of it, and every
// quarantined step of a passenger type narrowed by module and error text
// (`modules`: the passenger type's processors and pushers).
std::string retry_entry_button(const Principal& who, const std::string& client_id,
                               const std::string& internal_id);
std::string retry_step_button(const Principal& who, const std::string& client_id,
                              const std::string& internal_id, const std::string& step,
                              const std::string& module);
std::string bulk_retry_form(const Principal& who, const std::string& client_id,
                            const std::string& passenger, const std::vector<std::string>& modules);
// The Pullers cell of the Passengers page (pages_health.cc): a badge per
// puller of one passenger of service::client_health() (null: "–").
std::string puller_health_cell(const nlohmann::json& passenger_health);
void add_admin_pages(httplib::Server& server, WebState& state);
// The Dashboard page (pages_dashboard.cc).
void add_dashboard_pages(httplib::Server& server, WebState& state);
// The "Recent activity" card: the live tail of the client's drives on this
// node, filled and kept up to date by the page's script (app.js).
std::string live_tail_panel(const std::string& client_id);
// The password change a user with a default password must make before
// logging in (pages_password.cc): the form, shown by POST /login with
// `message` and `status`, and its route POST /login/password.
void password_change_page(WebState& state, const httplib::Request& req, httplib::Response& res,
                          const std::string& message, int status);
void add_password_change_pages(httplib::Server& server, WebState& state);
void add_system_pages(httplib::Server& server, WebState& state);

}  // namespace databus::web
