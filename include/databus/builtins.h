// The components Databus ships: demo components (docs/configuration.md), the primal queue
// and driver, the storage engines, and the connectors.
#pragma once

#include <memory>

#include "databus/registry.h"

namespace databus {

// Adds every built-in component to `registry`, through the same calls an
// application uses for its own. Call once per registry.
void register_builtins(Registry& registry);

// A new registry holding the built-ins.
std::shared_ptr<Registry> builtin_registry();

}  // namespace databus
