// The Host-header check against DNS rebinding.
//
// A page of an attacker's domain whose name is made to resolve to 127.0.0.1
// shares its origin with Databus in the browser's eyes; its requests still
// carry the attacker's name in Host. Answering only requests whose Host is an
// IP literal, `localhost` or a configured name stops that, while clients that
// reach the server by address or by a listed name are served as before.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace databus::web {

// True when the Host header `host` (name or address, with an optional
// ":port"; IPv6 in brackets) may be served by a server listening on
// `bound_host` with the extra names `allowed` ("*" allows any). An empty or
// malformed header is refused.
bool host_allowed(std::string_view host, const std::string& bound_host,
                  const std::vector<std::string>& allowed);

}  // namespace databus::web
