// Host access: which component settings reach the host Databus runs on, and
// what root delegates to a client's administrators (docs/security.md, "Host
// access").
//
// A setting that runs a program, names a file-system path or sets a
// program's environment is the operator's decision: only root's
// administrators (or whoever writes config.json on disk) set it. Root may
// delegate, per client, programs and directory roots inside which that
// client's administrators configure freely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace databus {

// What a component setting (SettingSpec::host) reaches on the host.
enum class HostAccess {
  none,
  command,      // A list [program, arguments...] that is run.
  path,         // A string naming a file or folder.
  environment,  // An object of variables given to a program.
  // Lets a component reach the host's own or private network addresses
  // (loopback, 10/8, 192.168/16, link-local...), where the host's services
  // and its neighbours listen. Never delegated: root's alone.
  network,
};

inline std::string_view to_string(HostAccess access) {
  switch (access) {
    case HostAccess::none:
      return "none";
    case HostAccess::command:
      return "command";
    case HostAccess::path:
      return "path";
    case HostAccess::environment:
      return "environment";
    case HostAccess::network:
      return "network";
  }
  return "none";
}

// What root delegates to the administrators of one client: the top-level key
// "host_access" of the client's config.json, which only root's
// administrators (or the file on disk) may change.
struct HostDelegation {
  // Programs (absolute paths) the client's commands may run, with any
  // arguments. A command is delegated when its program, `..` resolved, is
  // one of these.
  std::vector<std::string> commands;
  // Directory roots (absolute paths): a path setting is delegated when both
  // its written form (`..` resolved) and its real path (symlinks followed)
  // lie inside one of them (that root's real path, for the latter).
  std::vector<std::string> directories;
  // Names of environment variables the client's commands may be given, and
  // that its settings may reference as `${env:NAME}` (which reads the
  // Databus process's environment).
  std::vector<std::string> environment;

  bool operator==(const HostDelegation&) const = default;
};

}  // namespace databus
