#include "components/http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <cstdint>
#include <cstring>

namespace databus {

namespace {

bool private_ipv4(std::uint32_t a) {  // Host byte order.
  auto in = [a](std::uint32_t net, int bits) {
    return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits));
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10
         in(0x7F000000, 8) ||   // 127/8
         in(0xA9FE0000, 16) ||  // 169.254/16
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 (benchmarking)
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved, broadcast
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

bool is_private_address(const sockaddr* address) {
  if (address == nullptr) return true;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return private_ipv4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family != AF_INET6) return true;
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
  const unsigned char* b = v6->sin6_addr.s6_addr;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, mapped, 12) == 0) {
    return private_ipv4((std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                        (std::uint32_t{b[14]} << 8) | b[15]);
  }
  bool zero_prefix = true;  // ::, ::1 and the old IPv4-compatible ::a.b.c.d.
  for (int i = 0; i < 12; ++i) zero_prefix = zero_prefix && b[i] == 0;
  return zero_prefix || (b[0] & 0xFE) == 0xFC ||     // fc00::/7 unique local
         (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) ||  // fe80::/10 link-local
         (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) ||  // fec0::/10 site-local
         b[0] == 0xFF;                               // multicast
}

bool host_allowed(const std::string& host, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return true;
  const std::string h = lower(host);
  for (const std::string& entry : allowed) {
    const std::string e = lower(entry);
    if (e == h) return true;
    if (e.starts_with("*.") && h.size() > e.size() - 1 && h.ends_with(e.substr(1))) return true;
  }
  return false;
}

}  // namespace databus
