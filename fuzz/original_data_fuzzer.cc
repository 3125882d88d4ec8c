// The text files of the JSON DB besides passenger.json and config.json: drive
// logs (clients/<id>/log/<time>_<guid>.txt, Log::from_text) and the ISO times
// in their lines and names (parse_iso), as the original Python Databus or a
// person with an editor wrote them. The first input line is read as a time,
// the whole input as a log.
//
// Contracts checked: parse_iso either returns a time or throws
// std::invalid_argument, and a time it returns prints (to_iso) as text that
// parses back to the same microsecond; Log::from_text accepts any bytes
// (unmatched lines join the previous entry), and a log read and written
// once (to_text) is a fixed point of reading and writing.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "databus/log.h"
#include "databus/time.h"
#include "fuzz_check.h"

using databus::fuzz::check;

namespace {

void time_round_trip(std::string_view text) {
  databus::TimePoint t;
  try {
    t = databus::parse_iso(text);
  } catch (const std::invalid_argument&) {
    return;
  }
  const std::string printed = databus::to_iso(t);
  databus::TimePoint again;
  try {
    again = databus::parse_iso(printed);
  } catch (const std::invalid_argument&) {
    check(false, "to_iso wrote '" + printed + "', which parse_iso refuses");
  }
  check(again == std::chrono::floor<std::chrono::microseconds>(t),
        "'" + printed + "' does not parse back to the time it was printed from");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = databus::fuzz::as_text(data, size);
  time_round_trip(text.substr(0, text.find('\n')));

  const databus::TimePoint created = databus::parse_iso("2022-11-06T22:13:01.310411");
  const databus::Log log =
      databus::Log::from_text("081f0a34-5e07-11ed-b7cc-acde48001122", created, text);
  const std::string written = log.to_text();
  const databus::Log reread = databus::Log::from_text(log.guid(), created, written);
  check(reread.to_text() == written, "a log written back changes on a second round");
  check(reread.worst_type() == log.worst_type(), "a log written back changes its worst type");
  return 0;
}
