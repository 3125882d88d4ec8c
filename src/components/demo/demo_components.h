// The demo components of docs/configuration.md, with the original's names and behaviour:
// three passenger types, four pullers that always return the same passengers
// of source system DEMO_SYSTEM (the queue's dedup keeps the queue clean),
// two processors and three pushers that only log. The `demo` client's
// configuration (demo_client_config()) drives them.
#pragma once

#include <string>

#include "databus/registry.h"

namespace databus {

inline constexpr char kDemoSourceSystem[] = "DEMO_SYSTEM";

// Adds every demo component to `registry`. Call once per registry.
void register_demo_components(Registry& registry);

// The PNG image the demo binary puller attaches: a small valid 8x8 RGB image,
// built on the fly (stored deflate blocks, CRC-32, Adler-32).
std::string demo_png();

namespace demo_internal {
void register_demo_pullers(Registry& registry);
void register_demo_steps(Registry& registry);
}  // namespace demo_internal

}  // namespace databus
