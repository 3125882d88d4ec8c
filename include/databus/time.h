// Time points and their ISO 8601 text form, as stored in passenger.json and logs.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace databus {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Formats as "YYYY-MM-DDTHH:MM:SS.ffffff" in UTC, without an offset, which is
// the form the original Python Databus wrote (datetime.isoformat()).
std::string to_iso(TimePoint t);

// Parses "YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|(+|-)HH:MM]" (a space may stand for
// 'T'). A time without an offset is taken as UTC.
// Throws std::invalid_argument naming the text when it is not such a time or
// lies outside what a TimePoint holds (about the years 1678 to 2261).
TimePoint parse_iso(std::string_view text);

// The number of whole days as a duration, for life spans given in days.
inline Clock::duration days(int n) { return std::chrono::hours(24) * n; }

}  // namespace databus
