// A zip attachment opened by databus.processor.unzip (libarchive) with its
// default limits, as a passenger from any source may carry one. Contracts
// checked: process() either replaces the archive by its files or throws
// databus::Error (damaged, encrypted, over a limit) and then leaves the
// passenger unchanged; files come out with safe, unique names, within the
// byte limit, text only when UTF-8 without NUL bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "components/directory/directory_components.h"
#include "components/unzip/unzip.h"
#include "databus/builtins.h"
#include "databus/error.h"
#include "fuzz_check.h"
#include "storage/storage_names.h"

using databus::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<databus::Registry> registry = databus::builtin_registry();
  static const std::unique_ptr<databus::Processor> unzip =
      registry->make_processor({databus::kUnzipModule}, databus::ComponentEnv{"fuzz", "fuzz"});

  databus::Passenger passenger;
  passenger.external_id = "fuzz";
  passenger.add_attachment("archive.zip", databus::AttachmentFormat::binary,
                           std::string(databus::fuzz::as_text(data, size)));
  databus::QueueEntry entry = databus::QueueEntry::seat(passenger, {databus::kUnzipModule}, {});
  const databus::QueueEntry before = entry;
  databus::ClientPassenger client_passenger;
  databus::Log log;
  databus::DriveContext ctx("fuzz", client_passenger, log, [] { return databus::Passenger{}; });
  try {
    unzip->process(ctx, entry);
  } catch (const databus::Error&) {
    check(entry == before, "a failed unzip changed the passenger");
    return 0;
  }
  const databus::UnzipLimits limits;
  std::int64_t total = 0;
  std::set<std::string> names;
  for (const databus::Attachment& a : entry.passenger.attachments) {
    check(databus::is_safe_attachment_name(a.name), "unsafe attachment name '" + a.name + "'");
    check(names.insert(a.name).second, "attachment name '" + a.name + "' taken twice");
    check(a.format == databus::AttachmentFormat::binary ||
              databus::directory_internal::is_text(a.content),
          "'" + a.name + "' is stored as text but is not UTF-8 without NUL bytes");
    total += static_cast<std::int64_t>(a.content.size());
  }
  check(total <= limits.max_total_bytes, "more bytes came out than max_total_bytes");
  return 0;
}
