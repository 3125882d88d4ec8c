// The `connection` setting of the SQL connectors and the operator's rules
// for it (docs/security.md, "Databases"). A connection string reaches the
// host: its driver is a shared library loaded into Databus, a DSN names the
// operator's files, some drivers read files or run statements at login.
// So a client's configuration names only:
//  - a driver registered with unixODBC (odbcinst.ini, the operator's list),
//    by name, never a library path;
//  - no DSN, FILEDSN or SAVEFILE (DSN-less strings only);
//  - only the keys below (where and as whom to connect, TLS mode);
//  - for a file database (a driver whose name holds "SQLite") no Database
//    key: the file is the connector's `database_file` setting, a host path
//    under the host-access rule.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "databus/component.h"

namespace databus::sql {

// KEY=VALUE pairs in order; keys as written. Values may be in braces
// ({a;b}, "}}" for a "}"). Throws std::invalid_argument for a malformed
// string (the message never quotes a value).
std::vector<std::pair<std::string, std::string>> parse_connection_string(const std::string& text);

// The pairs back as a connection string, values braced where needed.
std::string format_connection_string(const std::vector<std::pair<std::string, std::string>>& pairs);

// The keys a connection string may use (upper case).
const std::vector<std::string>& allowed_connection_keys();

// What a connector connects with.
struct ConnectionTarget {
  std::string text;                  // The complete connection string (secret).
  std::string driver;                // The driver's registered name.
  std::vector<std::string> secrets;  // Values never to show: the password, the string.
};

// Reads `connection` (and `database_file`) of `env`, checks them against
// the rules above with `installed` as the registered drivers, and adds the
// options Databus needs of known drivers (psqlODBC: rows fetched in batches
// of `batch_rows` unless it is 0, as for a writer; its communication log
// off). Throws ConfigError naming the
// setting and the offending key or driver (never a value).
ConnectionTarget connection_target(const ComponentEnv& env,
                                   const std::vector<std::string>& installed, int batch_rows);

}  // namespace databus::sql
