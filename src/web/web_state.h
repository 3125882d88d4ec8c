// What every route handler of the web server shares.
#pragma once

#include "databus/dispatcher.h"
#include "databus/web_server.h"
#include "web/credentials.h"
#include "web/export_jobs.h"
#include "web/inbox.h"
#include "web/login_throttle.h"
#include "web/sessions.h"
#include "web/token_index.h"

namespace databus::web {

using WebOptions = databus::WebServerOptions;

struct WebState {
  WebState(Dispatcher& d, WebOptions o)
      : dispatcher(d),
        options(std::move(o)),
        sessions(options.session_idle, options.session_absolute),
        throttle(options.throttle),
        exports(d),
        login_form_key(random_hex(32)) {}

  bool tls() const { return !options.tls_cert.empty(); }

  Dispatcher& dispatcher;
  const WebOptions options;
  SessionStore sessions;
  LoginThrottle throttle;
  ExportJobs exports;
  TokenIndex tokens;  // Bearer token -> user; invalidated by every save.
  // Signs the login form's CSRF token (login.h); new with every server, so
  // a restart invalidates open login forms.
  const std::string login_form_key;
};

}  // namespace databus::web
