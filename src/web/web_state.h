// What every route handler of the web server shares.
#pragma once

#include "databus/dispatcher.h"
#include "databus/web_server.h"
#include "web/credentials.h"
#include "web/export_jobs.h"
#include "web/inbox.h"
#include "web/login_throttle.h"
#include "web/metrics.h"
#include "web/sessions.h"
#include "web/token_index.h"

namespace databus::web {

using WebOptions = databus::WebServerOptions;

struct WebState {
  WebState(Dispatcher& d, WebOptions o)
      : dispatcher(d),
        options(std::move(o)),
        sessions(options.session_idle, options.session_absolute, d.database().session_storage()),
        throttle(options.throttle),
        exports(d),
        login_form_key(sessions.shared_secret()) {}

  bool tls() const { return !options.tls_cert.empty(); }

  Dispatcher& dispatcher;
  const WebOptions options;
  SessionStore sessions;  // In the database when it is shared by nodes.
  LoginThrottle throttle;
  ExportJobs exports;
  TokenIndex tokens;           // Bearer token -> user; invalidated by every save.
  HttpRequestCounts requests;  // For GET /metrics.
  // Signs the login form's CSRF token (login.h). The session storage's
  // shared secret: the same on every node sharing the database, so that a
  // form served by one node may be posted to another; in memory (engines of
  // one process) new with every server, so a restart invalidates open login
  // forms.
  const std::string login_form_key;
};

}  // namespace databus::web
