// The host-access rule (docs/security.md, "Host access"): settings marked
// with a HostAccess in their component's spec are the operator's decision.
// One generic check over every component's spec, no per-component code:
//
// - at save time, check_host_changes() compares the stored and the new
//   configuration of a client saved by one of its own administrators (or its
//   anonymous user) and refuses a host setting that is added or changed
//   outside root's delegation;
// - at drive time, check_delegated_paths() re-checks, against the file
//   system as it is then, the paths written inside a delegated directory
//   root (a symlink may have been changed since the save).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "databus/client.h"
#include "databus/host_access.h"
#include "databus/registry.h"

namespace databus::host_access {

// True when `path` is absolute and lies inside one of `roots` twice over:
// its lexically normal form (`..` resolved) inside a root's, and its real
// path (symlinks of the existing part followed) inside that root's real
// path. A path equal to a root is inside it.
bool inside_directories(const std::string& path, const std::vector<std::string>& roots);

// True when `argv` is a list whose first item, lexically normalised, is one
// of `delegation.commands` (lexically normalised). Arguments are free.
bool delegated_command(const nlohmann::json& argv, const HostDelegation& delegation);

// Whether `value` of a setting reaching the host as `access` is within
// `delegation`; when not, `why` (if given) says what is outside it.
bool delegated(HostAccess access, const nlohmann::json& value, const HostDelegation& delegation,
               std::string* why);

// Drive time: every path setting of `spec` in `settings` (resolved) whose
// written form lies inside a delegated directory root must still resolve
// inside it. Paths written elsewhere are root's own. Throws ForbiddenError
// naming `where` and the setting.
void check_delegated_paths(const ComponentSpec& spec, const nlohmann::json& settings,
                           const HostDelegation& delegation, const std::string& where);

// Save time, for a save by one of the client's own administrators: throws
// ForbiddenError naming the client, passenger, component and setting when
// `after` changes host_access, or holds a component whose host setting is
// neither its default, nor the value an equal component (same passenger,
// same list, same module; the alert pushers count as one list) has in
// `before`, nor within `before`'s delegation;
// or whose settings reference a `${env:NAME}` (a variable of the Databus
// process) that `before` references nowhere and the delegation does not name.
// Components whose module the registry does not know are skipped (the
// configuration's validation reports them).
void check_host_changes(const Registry& registry, const ClientConfig& before,
                        const ClientConfig& after);

}  // namespace databus::host_access
