// Pages: the password change that a user whose password is still a default
// one must make before the web interface serves them (docs/operations.md,
// "A safe first start"). It sits before any session, like the login form,
// and is protected the same way (login.h: pre-session cookie and token).

#include "web/html.h"
#include "web/login.h"
#include "web/pages_common.h"

namespace databus::web {

using httplib::Request;
using httplib::Response;

void password_change_page(WebState& st, const Request& req, Response& res,
                          const std::string& message, int status) {
  bool new_pre_session = false;
  const std::string pre_session = login_pre_session(req, &new_pre_session);
  if (new_pre_session) res.set_header("Set-Cookie", login_cookie(st, pre_session));
  std::string body =
      "<form class=\"card login\" method=\"post\" action=\"/login/password\" "
      "id=\"password-change\">"
      "<div class=\"banner error\" role=\"alert\">" +
      escape_html(message) + "</div>";
  body += "<input type=\"hidden\" name=\"login_csrf\" value=\"" +
          login_form_token(st, pre_session) + "\">";
  body += "<label>Client <input name=\"client\" id=\"client\" required value=\"" +
          escape_html(query(req, "client")) +
          "\"></label>"
          "<label>User <input name=\"username\" id=\"username\" required value=\"" +
          escape_html(query(req, "username")) +
          "\" autocomplete=\"username\"></label>"
          "<label>Current password <input type=\"password\" name=\"password\" id=\"password\" "
          "autocomplete=\"current-password\"></label>"
          "<label>New password <input type=\"password\" name=\"new_password\" "
          "id=\"new_password\" minlength=\"8\" required autocomplete=\"new-password\"></label>"
          "<label>New password again <input type=\"password\" name=\"repeated\" "
          "id=\"repeated\" minlength=\"8\" required autocomplete=\"new-password\"></label>"
          "<button type=\"submit\" class=\"primary\">Change password and log in</button>"
          "<p class=\"hint\">At least 8 characters; stored as an Argon2id hash.</p></form>";
  send_html(res, render_page(st, nullptr, PageFrame{"Change your password", "", "", body}), status);
}

void add_password_change_pages(httplib::Server& server, WebState& st) {
  server.Post("/login/password", page(st, [&st](const Request& req, Response& res) {
                if (!login_form_valid(st, req)) {
                  password_change_page(st, req, res,
                                       "The form expired or did not come from this server; "
                                       "please try again.",
                                       403);
                  return;
                }
                const std::string client = query(req, "client");
                try {
                  const Session session = change_default_password(
                      st, client, query(req, "username"), query(req, "password"),
                      query(req, "new_password"), query(req, "repeated"), req.remote_addr);
                  res.set_header("Set-Cookie", session_cookie(st, session.id));
                  res.set_header("Set-Cookie", login_cookie(st, ""));  // Used up.
                  redirect(res, client_url(client, "dashboard"));
                } catch (const HttpError& e) {
                  if (e.retry_after() > 0)
                    res.set_header("Retry-After", std::to_string(e.retry_after()));
                  password_change_page(st, req, res, e.what(), e.status());
                }
              }));
}

}  // namespace databus::web
