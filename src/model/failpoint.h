// Failpoints: named instants at which a test makes the process stop itself,
// so that crash safety can be checked exactly there (tests/crash; see
// docs/architecture.md "Durability and crash safety"). The test then kills
// the stopped process with SIGKILL, a crash at that instant, or lets it go on
// with SIGCONT.
//
// Off unless the environment variable DATABUS_FAILPOINTS, read once at the
// first call, names them: a comma-separated list of NAME@N, each meaning
// "the N-th time NAME is reached, raise SIGSTOP", e.g.
//
//   DATABUS_FAILPOINTS=drive.push@3
//
// The places are listed in docs/architecture.md. Cost when off: one load.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace databus {

// Reached `name`: stops the process when DATABUS_FAILPOINTS says so.
void failpoint(std::string_view name);

// True when DATABUS_FAILPOINTS names any failpoint: lets a caller skip
// building a failpoint's name (e.g. "drive.step.<external id>").
bool failpoints_enabled();

// The parsed form of a DATABUS_FAILPOINTS value: name -> N. Entries that are
// not NAME@N with N >= 1 are ignored.
std::map<std::string, long> parse_failpoints(std::string_view text);

}  // namespace databus
