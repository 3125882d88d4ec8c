// RunningSteps: the mark a drive leaves in the store before it runs steps,
// so that the next drive knows which steps a crash (SIGKILL, a component that
// aborts the process) interrupted, and can count an attempt for the one that
// was running (docs/architecture.md "Interrupted steps"). Internal to the
// driver; kept as the client passenger state document kRunningStepsState.
//
// Steps run in groups of many entries whose outcomes are written together,
// so a mark naming the one entry running would cost a durable write per
// step. Instead the mark names the group; after a crash its entries become
// suspects and run one at a time, each with a mark naming its step, until the
// crash repeats on one entry: that entry's step gets the attempt.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace databus {

inline constexpr const char* kRunningStepsState = "running_steps";

struct RunningSteps {
  enum class Phase { process, push };

  Phase phase = Phase::process;
  // The entries whose steps run as one group (internal ids).
  std::vector<std::string> group;
  // Entries that were in a group a crash interrupted and have yet to run
  // alone.
  std::vector<std::string> suspects;
  // The entry and the module of the one step running alone, if any.
  std::string entry;
  std::string module;

  // One line of JSON.
  std::string encode() const;
  // Throws std::invalid_argument naming the field when `text` is malformed.
  static RunningSteps decode(std::string_view text);

  bool operator==(const RunningSteps&) const = default;
};

}  // namespace databus
