#include "dispatcher/live_tail.h"

#include <algorithm>

namespace databus::dispatch {

void LiveTail::add(const std::string& client_id, const std::string& passenger,
                   const std::string& log_guid, const LogEntry& entry) {
  std::lock_guard lock(mu_);
  lines_.push_back(TailLine{++last_, client_id, passenger, log_guid, entry});
  if (lines_.size() > kCapacity) lines_.pop_front();
}

std::vector<TailLine> LiveTail::lines(const std::string& client_id, std::uint64_t after,
                                      std::size_t limit) const {
  std::vector<TailLine> out;
  std::lock_guard lock(mu_);
  // Newest first up to `limit`, then turned around.
  for (auto it = lines_.rbegin(); it != lines_.rend() && it->seq > after && out.size() < limit;
       ++it) {
    if (it->client_id == client_id) out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace databus::dispatch
