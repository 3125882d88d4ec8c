#include "databus/time.h"

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace databus {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm),
// so that parsing needs neither the TZ environment nor timegm's locale.
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

[[noreturn]] void bad(std::string_view text) {
  throw std::invalid_argument("not an ISO 8601 time: '" + std::string(text) + "'");
}

int digits(std::string_view text, std::size_t& pos, std::size_t count, std::string_view whole) {
  int value = 0;
  for (std::size_t i = 0; i < count; ++i, ++pos) {
    if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') bad(whole);
    value = value * 10 + (text[pos] - '0');
  }
  return value;
}

void expect(std::string_view text, std::size_t& pos, char c, std::string_view whole) {
  if (pos >= text.size() || text[pos] != c) bad(whole);
  ++pos;
}

}  // namespace

std::string to_iso(TimePoint t) {
  using namespace std::chrono;
  const auto micros = duration_cast<microseconds>(t.time_since_epoch()).count();
  auto secs = micros / 1000000;
  auto frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long>(frac));
  return buf;
}

TimePoint parse_iso(std::string_view text) {
  std::size_t pos = 0;
  const int year = digits(text, pos, 4, text);
  expect(text, pos, '-', text);
  const int month = digits(text, pos, 2, text);
  expect(text, pos, '-', text);
  const int day = digits(text, pos, 2, text);
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) bad(text);
  ++pos;
  const int hour = digits(text, pos, 2, text);
  expect(text, pos, ':', text);
  const int minute = digits(text, pos, 2, text);
  expect(text, pos, ':', text);
  const int second = digits(text, pos, 2, text);
  long long nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++n;
      }
      ++pos;
    }
    if (n == 0) bad(text);
    for (; n < 9; ++n) nanos *= 10;
  }
  long offset_seconds = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int sign = text[pos] == '-' ? -1 : 1;
      ++pos;
      const int oh = digits(text, pos, 2, text);
      expect(text, pos, ':', text);
      const int om = digits(text, pos, 2, text);
      offset_seconds = sign * (oh * 3600L + om * 60L);
    } else {
      bad(text);
    }
  }
  if (pos != text.size()) bad(text);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    bad(text);
  }
  const long long secs = days_from_civil(year, month, day) * 86400LL + hour * 3600LL +
                         minute * 60LL + second - offset_seconds;
  using namespace std::chrono;
  // A TimePoint counts nanoseconds in 64 bits: about the years 1678 to 2261.
  // A time outside (a year 1010 or 9999 in a hand-edited file) is refused
  // rather than overflowing the conversion (found by fuzz/original_data).
  constexpr long long kLimit = duration_cast<seconds>(Clock::duration::max()).count() - 1;
  if (secs < -kLimit || secs > kLimit) {
    throw std::invalid_argument("ISO 8601 time outside the years 1678 to 2261: '" +
                                std::string(text) + "'");
  }
  return TimePoint(duration_cast<Clock::duration>(seconds(secs) + nanoseconds(nanos)));
}

}  // namespace databus
