// A bounded peek for the streaming pullers (docs/architecture.md, "Streaming
// pullers"): what waits in a source may be a million files, and a peek
// shows the first few, read through the puller's own pull_into().
#pragma once

#include <cstddef>
#include <vector>

#include "databus/puller.h"

namespace databus {

// How many passengers a built-in puller's peek() returns at most.
inline constexpr std::size_t kPeekLimit = 100;

// The first `limit` passengers `puller.pull_into(ctx, ...)` hands over; the
// puller stops reading then (PassengerSink::done()). Nothing is notified, so
// nothing is taken from the source.
std::vector<Passenger> peek_first(Puller& puller, DriveContext& ctx,
                                  std::size_t limit = kPeekLimit);

}  // namespace databus
