#include "web/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace databus::web {
namespace {

// The boot time ("btime" of /proc/stat), in seconds since the epoch.
std::optional<double> boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessFigures> read_process_figures() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // The command name (field 2) may hold spaces: fields are counted after
  // its closing parenthesis, from field 3 (state).
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f(2);  // f[n - 1] is field n; fields 1 and 2 are not used.
  for (std::string word; fields >> word;) f.push_back(word);
  if (f.size() < 24) return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessFigures p;
  try {
    p.cpu_seconds = (std::stod(f[13]) + std::stod(f[14])) / ticks;  // utime, stime
    p.virtual_bytes = std::stod(f[22]);                             // vsize
    p.resident_bytes = std::stod(f[23]) * page;                     // rss, in pages
    const std::optional<double> boot = boot_time();
    if (boot) p.start_time_seconds = *boot + std::stod(f[21]) / ticks;  // starttime
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++p.open_fds;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) p.max_fds = static_cast<double>(limit.rlim_cur);
  return p;
}

void write_process_metrics(PrometheusText& out) {
  const std::optional<ProcessFigures> p = read_process_figures();
  if (!p) return;
  const struct {
    const char* name;
    const char* type;
    const char* help;
    double value;
  } families[] = {
      {"process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
       p->cpu_seconds},
      {"process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
       p->resident_bytes},
      {"process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p->virtual_bytes},
      {"process_start_time_seconds", "gauge",
       "Start time of the process since unix epoch in seconds.", p->start_time_seconds},
      {"process_open_fds", "gauge", "Number of open file descriptors.", p->open_fds},
      {"process_max_fds", "gauge", "Maximum number of open file descriptors.", p->max_fds},
  };
  for (const auto& family : families) {
    out.family(family.name, family.type, family.help);
    out.sample(family.name, {}, family.value);
  }
}

}  // namespace databus::web
