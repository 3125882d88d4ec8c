// The usual process metrics of a Prometheus client (process_cpu_seconds_total,
// process_resident_memory_bytes, ...), read from Linux's /proc/self.
#pragma once

#include <optional>

#include "web/prometheus_text.h"

namespace databus::web {

struct ProcessFigures {
  double cpu_seconds = 0;  // User and system time.
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;  // Since the Unix epoch.
  double open_fds = 0;
  double max_fds = 0;
};

// This process's figures; nullopt where /proc cannot be read.
std::optional<ProcessFigures> read_process_figures();

// Writes the process_* families; nothing when /proc cannot be read.
void write_process_metrics(PrometheusText& out);

}  // namespace databus::web
