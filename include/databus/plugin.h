// Plugins: shared libraries that add pullers, processors, pushers, passenger
// types and queues to a `databus` program that was not built with them
// (docs/architecture.md, "Plugins"). A plugin is compiled against this SDK
// and defines its entry points with DATABUS_PLUGIN:
//
//   #include "databus/plugin.h"
//   void register_mine(databus::Registry& registry) {
//     registry.add_puller(my_puller_spec(), make_my_puller);
//   }
//   DATABUS_PLUGIN(register_mine)
//
// It links no Databus library: the symbols of the SDK come from the program
// that loads it (the `databus` program exports them). A plugin registers
// through the same Registry calls as the built-ins; its components' specs
// drive validation, `databus check`, `databus components` (which names the
// plugin) and the schema like any other.
//
// Where plugins come from is the operator's decision (`databus run
// --plugin-dir`, DispatcherTicket::plugin_dirs), never a client's: loading
// one runs its code in the Databus process.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "databus/registry.h"
#include "databus/version.h"

namespace databus {

// The version of the plugin interface: the SDK's types and the Registry as a
// plugin sees them. Raised whenever a change to include/databus/ changes
// what a compiled plugin relies on; a plugin built for another number is
// refused. Compare only for equality.
inline constexpr int kPluginAbiVersion = 3;

// One plugin that was loaded.
struct LoadedPlugin {
  std::filesystem::path file;
  std::string sdk_version;  // The Databus version its SDK came from.
};

// Loads every "*.so" file directly inside each of `dirs` (in name order; the
// directories in the order given) and lets it register its components into
// `registry`, each spec's `plugin` set to the file's path. Throws Error, and
// leaves the process as it was only up to the failing plugin, when
//  - a directory does not exist or cannot be read;
//  - a file cannot be loaded (dlopen's reason), or lacks the entry points
//    (not a Databus plugin);
//  - a plugin was built for another kPluginAbiVersion: "plugin FILE was
//    built for plugin ABI N (Databus V); this databus has ABI M (Databus W):
//    rebuild it against this version's SDK";
//  - its registration throws (e.g. a module name already taken).
// A loaded library stays loaded for the life of the process.
// REQUIRES: nothing else uses `registry` meanwhile.
std::vector<LoadedPlugin> load_plugins(Registry& registry,
                                       const std::vector<std::filesystem::path>& dirs);

}  // namespace databus

// The entry points load_plugins() looks for. Use once per plugin.
#define DATABUS_PLUGIN(register_function)                                                      \
  extern "C" __attribute__((visibility("default"))) int databus_plugin_abi_version() {         \
    return ::databus::kPluginAbiVersion;                                                       \
  }                                                                                            \
  extern "C" __attribute__((visibility("default"))) const char* databus_plugin_sdk_version() { \
    return DATABUS_VERSION;                                                                    \
  }                                                                                            \
  extern "C" __attribute__((visibility("default"))) void databus_plugin_register(              \
      ::databus::Registry& registry) {                                                         \
    register_function(registry);                                                               \
  }
