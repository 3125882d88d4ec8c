// The SQL connectors over unixODBC: databus.puller.sql (sql_puller.h) and
// databus.pusher.sql (sql_pusher.h).
#pragma once

#include "databus/registry.h"

namespace databus {

// Adds both SQL connectors to `registry`.
void register_sql_components(Registry& registry);

}  // namespace databus
