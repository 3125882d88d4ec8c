#include "model/failpoint.h"

#include <signal.h>

#include <cstdlib>
#include <mutex>

namespace databus {
namespace {

struct Failpoints {
  bool on = false;
  std::mutex mu;
  std::map<std::string, long> remaining;  // Guarded by mu: hits until the stop.
};

Failpoints& failpoints() {
  static Failpoints* const points = [] {
    auto* p = new Failpoints;  // Never destroyed: reached from any thread until exit.
    if (const char* text = std::getenv("DATABUS_FAILPOINTS")) {
      p->remaining = parse_failpoints(text);
      p->on = !p->remaining.empty();
    }
    return p;
  }();
  return *points;
}

}  // namespace

std::map<std::string, long> parse_failpoints(std::string_view text) {
  std::map<std::string, long> points;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const std::size_t at = item.rfind('@');
    if (at == std::string_view::npos || at == 0) continue;
    const std::string count(item.substr(at + 1));
    char* end = nullptr;
    const long n = std::strtol(count.c_str(), &end, 10);
    if (count.empty() || *end != '\0' || n < 1) continue;
    points[std::string(item.substr(0, at))] = n;
  }
  return points;
}

bool failpoints_enabled() { return failpoints().on; }

void failpoint(std::string_view name) {
  Failpoints& points = failpoints();
  if (!points.on) return;
  {
    std::lock_guard lock(points.mu);
    auto it = points.remaining.find(std::string(name));
    if (it == points.remaining.end() || --it->second != 0) return;
  }
  raise(SIGSTOP);
}

}  // namespace databus
