#include "databus/retry.h"

#include <algorithm>
#include <cmath>

namespace databus {

RetryPolicy RetryPolicy::with(const RetrySettings& settings) const {
  RetryPolicy out = *this;
  if (settings.max_attempts) out.max_attempts = *settings.max_attempts;
  if (settings.initial_delay_seconds) out.initial_delay_seconds = *settings.initial_delay_seconds;
  if (settings.max_delay_seconds) out.max_delay_seconds = *settings.max_delay_seconds;
  return out;
}

Clock::duration RetryPolicy::delay_after(int attempts, double jitter) const {
  // In double seconds: 2^(attempts-1) overflows any integer long before
  // attempts reaches a configurable maximum.
  const double doubling = std::ldexp(1.0, std::clamp(attempts, 1, 1024) - 1);
  const double base = std::min(static_cast<double>(std::max(0, max_delay_seconds)),
                               std::max(0, initial_delay_seconds) * doubling);
  const double seconds = base * (1.0 + kJitter * std::clamp(jitter, -1.0, 1.0));
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace databus
