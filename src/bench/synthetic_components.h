// The synthetic components of `databus bench` (issue 5): a puller that
// yields a fixed number of passengers, each with one text attachment of a
// given size, and processors and pushers that complete at once. They do no
// I/O of their own, so a benchmark measures the queue, the driver and the
// storage engine, not a source or target system.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "databus/registry.h"

namespace databus::bench {

inline constexpr char kBenchPassenger[] = "databus.passenger.bench.synthetic";
inline constexpr char kBenchPuller[] = "databus.puller.bench.synthetic";
inline constexpr char kBenchSourceSystem[] = "BENCH";
// External ids of pulled passengers start with this, those of preloaded
// entries with kPreloadPrefix, so counts can tell them apart.
inline constexpr char kPulledPrefix[] = "pulled-";
inline constexpr char kPreloadPrefix[] = "preloaded-";

// The module name of the i-th synthetic processor or pusher (1-based). Each
// step of an entry needs its own module name, so P processors are P modules.
std::string bench_processor(int i);
std::string bench_pusher(int i);

// What the synthetic puller yields. Shared by the puller objects of every
// drive of one benchmark; the puller returns passengers until notified about
// them, as the Puller contract asks. Not thread-safe: a benchmark drives one
// client passenger, so one drive at a time uses it.
struct SyntheticSource {
  std::size_t passengers = 0;        // How many the source holds.
  std::size_t attachment_bytes = 0;  // Size of each passenger's text attachment.
  std::size_t notified = 0;          // The first `notified` ones are taken.
};

// The text of a synthetic attachment: `bytes` printable ASCII bytes that
// differ from passenger to passenger (number `index`).
std::string synthetic_text(std::size_t index, std::size_t bytes);

// Adds the passenger type, the puller backed by `source`, and `processors`
// processors and `pushers` pushers (bench_processor(1..processors), ...).
// Throws Error when a name is taken (call once per registry).
void register_synthetic_components(Registry& registry, std::shared_ptr<SyntheticSource> source,
                                   int processors, int pushers);

}  // namespace databus::bench
