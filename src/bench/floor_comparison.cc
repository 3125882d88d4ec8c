#include "bench/floor_comparison.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace databus::bench {
namespace {

std::vector<double> rates_of(const std::vector<WorkloadResult>& results) {
  std::vector<double> rates;
  for (const WorkloadResult& r : results) rates.push_back(r.rate());
  return rates;
}

std::vector<double> rates_of(const std::vector<FloorResult>& results) {
  std::vector<double> rates;
  for (const FloorResult& r : results) rates.push_back(r.rate());
  return rates;
}

double share(double part, double whole) { return whole > 0 ? part / whole : 0; }

}  // namespace

double best_of(const std::vector<double>& rates) {
  return rates.empty() ? 0 : *std::max_element(rates.begin(), rates.end());
}

double median_of(std::vector<double> rates) {
  if (rates.empty()) return 0;
  std::sort(rates.begin(), rates.end());
  const std::size_t mid = rates.size() / 2;
  return rates.size() % 2 == 1 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
}

bool FloorComparison::all_complete() const {
  for (const WorkloadResult& r : runs) {
    if (!r.all_complete()) return false;
  }
  for (const WorkloadResult& r : memory) {
    if (!r.all_complete()) return false;
  }
  for (const FloorResult& f : floors) {
    if (f.complete != f.passengers) return false;
  }
  return true;
}

std::string FloorComparison::line() const {
  const std::vector<double> w = rates_of(runs);
  const std::vector<double> f = rates_of(floors);
  const std::vector<double> m = rates_of(memory);
  char text[512];
  std::snprintf(text, sizeof text,
                " runs=%zu rate_best=%.0f/s rate_median=%.0f/s floor_best=%.0f/s "
                "floor_median=%.0f/s memory_best=%.0f/s memory_median=%.0f/s of_floor=%.3f "
                "of_memory=%.3f of_floor_median=%.3f of_memory_median=%.3f",
                runs.size(), best_of(w), median_of(w), best_of(f), median_of(f), best_of(m),
                median_of(m), share(best_of(w), best_of(f)), share(best_of(w), best_of(m)),
                share(median_of(w), median_of(f)), share(median_of(w), median_of(m)));
  return "engine=" + engine + " workload=" + workload +
         " passengers=" + std::to_string(passengers) + text;
}

FloorComparison run_floor_comparison(const WorkloadOptions& options, std::size_t runs,
                                     const std::function<void(const std::string&)>& print) {
  if (options.workload != "W1") throw std::invalid_argument("--floor measures workload W1 only");
  if (options.pusher != "discard") {
    throw std::invalid_argument("--floor takes the discard pushers (the floor writes no outbox)");
  }
  if (runs == 0) throw std::invalid_argument("--runs must be at least 1");
  require_floor(options.database);
  FloorOptions floor;
  floor.database = options.database;
  floor.database_arguments = options.database_arguments;
  floor.passengers = options.passengers;
  floor.attachment_bytes = options.attachment_bytes;
  floor.processors = options.processors;
  floor.pushers = options.pushers;
  WorkloadOptions memory = options;
  memory.database = "memory";
  memory.database_arguments.clear();
  memory.progress = nullptr;

  FloorComparison c;
  c.engine = options.database;
  c.workload = options.workload;
  c.passengers = options.passengers;
  for (std::size_t i = 0; i < runs; ++i) {
    c.runs.push_back(run_workload(options));
    print(c.runs.back().line());
    c.floors.push_back(run_floor(floor));
    print(c.floors.back().line());
    c.memory.push_back(run_workload(memory));
    print(c.memory.back().line());
  }
  return c;
}

}  // namespace databus::bench
