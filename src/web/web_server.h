// The web server's public interface is include/databus/web_server.h; inside
// src/web it is known under the web namespace too.
#pragma once

#include "databus/web_server.h"

namespace databus::web {

using WebServer = databus::WebServer;
using WebOptions = databus::WebServerOptions;

}  // namespace databus::web
