// Which network addresses an HTTP request of a connector may reach
// (docs/security.md, "Network destinations"). A link in a passenger is
// written by whoever sent it: without a check, it could make Databus fetch
// from the host's own services (loopback), its neighbours (private ranges)
// or a cloud's metadata address (link-local). The check applies to the
// address a name resolves to at connection time, so a name that resolves
// differently later (DNS rebinding) is caught too.
#pragma once

#include <string>
#include <vector>

struct sockaddr;

namespace databus {

// Where an endpoint may connect. Default: anywhere (the configured URLs of
// the HTTP connectors are the configuration's own).
struct AddressPolicy {
  // Host names (or IP literals) a URL may name, compared ignoring case; an
  // entry "*.example.com" allows every subdomain of example.com. Empty: any.
  std::vector<std::string> allowed_hosts;
  // When false, addresses of the host itself and of private networks are
  // refused: is_private_address().
  bool allow_private = true;

  bool restricts() const { return !allowed_hosts.empty() || !allow_private; }
};

// True for loopback (127/8, ::1), unspecified (0/8, ::), private (10/8,
// 172.16/12, 192.168/16, fc00::/7), shared (100.64/10), link-local
// (169.254/16, fe80::/10), multicast, broadcast and reserved (240/4)
// addresses, IPv4-mapped IPv6 ones by their IPv4 address. Any family other
// than IPv4 and IPv6 counts as private.
bool is_private_address(const sockaddr* address);

// True when `host` (a URL's host, IPv6 without brackets) is allowed by
// `allowed` (see AddressPolicy::allowed_hosts; empty allows any).
bool host_allowed(const std::string& host, const std::vector<std::string>& allowed);

}  // namespace databus
