// passenger.json, as the JSON DB reads it from a queue entry's folder
// (src/storage/json_db/passenger_codec.h) - written by us, by the original
// Python Databus, or by hand. Contract checked: any bytes either decode or
// throw CorruptDataError (nothing else escapes, nothing crashes), and what
// decodes writes back to text that reads back the same (the encoding is a
// fixed point after one round).
#include <cstddef>
#include <cstdint>
#include <string>

#include "databus/error.h"
#include "fuzz_check.h"
#include "storage/json_db/passenger_codec.h"

using databus::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  databus::QueueEntry entry;
  try {
    entry = databus::decode_passenger_json(databus::fuzz::as_text(data, size), "passenger.json");
  } catch (const databus::CorruptDataError&) {
    return 0;
  }
  const std::string written = databus::encode_passenger_json(entry);
  databus::QueueEntry reread;
  try {
    reread = databus::decode_passenger_json(written, "passenger.json (written back)");
  } catch (const databus::CorruptDataError& e) {
    check(false, std::string("written text does not read back: ") + e.what());
  }
  check(databus::encode_passenger_json(reread) == written,
        "passenger.json written back changes on a second round");
  return 0;
}
