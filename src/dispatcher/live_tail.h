// LiveTail: the newest log lines of this node's drives, as they are written
// (Log::set_line_listener()), for the live tail of the web interface
// (Dispatcher::tail_lines(); docs/operations.md "Monitoring"). Keeps the
// last kCapacity lines of all clients; each line has a sequence number, so
// that a reader asks only for the lines after the last one it has.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "databus/dispatcher.h"

namespace databus::dispatch {

class LiveTail {
 public:
  static constexpr std::size_t kCapacity = 1000;

  void add(const std::string& client_id, const std::string& passenger, const std::string& log_guid,
           const LogEntry& entry);
  // The kept lines of `client_id` numbered above `after`, oldest first, at
  // most `limit` (the newest of them).
  std::vector<TailLine> lines(const std::string& client_id, std::uint64_t after,
                              std::size_t limit) const;

 private:
  mutable std::mutex mu_;
  std::deque<TailLine> lines_;
  std::uint64_t last_ = 0;
};

}  // namespace databus::dispatch
