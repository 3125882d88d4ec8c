// `databus bench --floor`: the workload, the engine's floor (floor.h) and
// the memory engine's run of the same workload, interleaved (W F M W F M
// ...) so that every figure sees the same moments of a shared machine, and
// the workload's rate as a share of the floor's and of the memory engine's
// (docs/performance.md, "Floors and the inbox under load").
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "bench/floor.h"
#include "bench/workload.h"

namespace databus::bench {

// The best and the median of the rates of repeated runs.
double best_of(const std::vector<double>& rates);
double median_of(std::vector<double> rates);

struct FloorComparison {
  std::string engine;
  std::string workload;
  std::size_t passengers = 0;
  std::vector<WorkloadResult> runs;    // The chosen engine.
  std::vector<FloorResult> floors;     // Its floor.
  std::vector<WorkloadResult> memory;  // The memory engine, same workload.

  // Every workload run completed every passenger, and every floor left as
  // many complete entries.
  bool all_complete() const;
  // "engine=E workload=W passengers=N runs=R rate_best=.../s rate_median=.../s
  // floor_best=.../s floor_median=.../s memory_best=.../s memory_median=.../s
  // of_floor=B of_memory=B of_floor_median=M of_memory_median=M": the
  // ratios of bests (B) and of medians (M).
  std::string line() const;
};

// Runs `runs` rounds of the workload (W1 only: the floor is W1's), the
// floor and the memory engine's workload, printing each result's line()
// as it comes. Throws std::invalid_argument for another workload, the
// directory pusher, no runs, or an engine without a floor (has_floor()).
FloorComparison run_floor_comparison(const WorkloadOptions& options, std::size_t runs,
                                     const std::function<void(const std::string&)>& print);

}  // namespace databus::bench
