// Settings both SQL connectors declare (docs/connectors.md, "SQL databases").
#pragma once

#include <vector>

#include "databus/setting.h"

namespace databus::sql {

// connection (required, secret), database_file (a host path) and
// login_timeout_seconds.
std::vector<SettingSpec> connection_settings();

}  // namespace databus::sql
