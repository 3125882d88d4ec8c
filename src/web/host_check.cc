#include "web/host_check.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace databus::web {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_ipv4(const std::string& text) {
  in_addr addr{};
  return inet_pton(AF_INET, text.c_str(), &addr) == 1;
}

bool is_ipv6(const std::string& text) {
  in6_addr addr{};
  return inet_pton(AF_INET6, text.c_str(), &addr) == 1;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

bool host_allowed(std::string_view host, const std::string& bound_host,
                  const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) return true;
  std::string name;
  if (host.starts_with('[')) {  // [IPv6]:port
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && !(rest[0] == ':' && all_digits(rest.substr(1)))) return false;
    return is_ipv6(std::string(host.substr(1, close - 1)));
  }
  const std::size_t colon = host.find(':');
  name = lower(host.substr(0, colon));
  if (colon != std::string_view::npos && !all_digits(host.substr(colon + 1))) return false;
  if (name.ends_with('.')) name.pop_back();  // "localhost." is localhost.
  if (name.empty()) return false;
  if (is_ipv4(name) || name == "localhost") return true;
  if (name == lower(bound_host)) return true;
  return std::any_of(allowed.begin(), allowed.end(),
                     [&name](const std::string& a) { return lower(a) == name; });
}

}  // namespace databus::web
