// A client's config.json (ClientConfig::parse) and its validation against the
// registry (dispatch::validate_client_config, what a customizing save and
// every scheduler cycle run): read from the data directory, where the
// original Python Databus or an editor wrote it, and from the web
// interface's customizing page. Contracts checked: any bytes either parse or
// throw ConfigError; a parsed configuration written out (to_json) parses
// back equal; validation throws nothing but ConfigError.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "databus/builtins.h"
#include "databus/client.h"
#include "databus/error.h"
#include "dispatcher/customizing.h"
#include "fuzz_check.h"

using databus::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<databus::Registry> registry = databus::builtin_registry();
  const std::string text(databus::fuzz::as_text(data, size));
  databus::ClientConfig parsed;
  try {
    parsed = databus::ClientConfig::parse("fuzz", text, "config.json");
  } catch (const databus::ConfigError&) {
    return 0;
  }
  const std::string written = parsed.to_json().dump();
  try {
    check(databus::ClientConfig::parse("fuzz", written, "config.json (written back)") == parsed,
          "config.json written back parses to another configuration");
  } catch (const databus::ConfigError& e) {
    check(false, std::string("config.json written back does not parse: ") + e.what());
  }
  try {
    databus::dispatch::validate_client_config(*registry, "fuzz", text, "config.json");
  } catch (const databus::ConfigError&) {
  }
  return 0;
}
