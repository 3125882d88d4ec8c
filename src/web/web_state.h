// What every route handler of the web server shares.
#pragma once

#include "databus/dispatcher.h"
#include "databus/web_server.h"
#include "web/export_jobs.h"
#include "web/login_throttle.h"
#include "web/sessions.h"

namespace databus::web {

using WebOptions = databus::WebServerOptions;

struct WebState {
  WebState(Dispatcher& d, WebOptions o)
      : dispatcher(d),
        options(std::move(o)),
        sessions(options.session_idle, options.session_absolute),
        throttle(options.throttle),
        exports(d) {}

  bool tls() const { return !options.tls_cert.empty(); }

  Dispatcher& dispatcher;
  const WebOptions options;
  SessionStore sessions;
  LoginThrottle throttle;
  ExportJobs exports;
};

}  // namespace databus::web
