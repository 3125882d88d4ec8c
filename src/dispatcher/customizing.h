// Customizing: the editable JSON documents of a client (docs/architecture.md "Concepts",
// docs/api.md).
//
//   "__databus__"  the client's config.json; a save must parse as a client
//                  configuration and every component it names must be known
//                  to the registry with known settings.
//   "__clients__"  root only: {"clients": ["demo", "root", ...]}. A save may
//                  add clients (created with an empty configuration); removing
//                  one this way is refused.
//   <file id>      each external config file of the ticket registered for the
//                  client: a local file that must hold valid JSON.
//
// Every save first validates (nothing changes when the text is invalid), then
// writes a backup of the current content, then replaces the content
// atomically.
//
// Versions (config_version.h; docs/api.md "Edit conflicts"): a save
// given the version its text was edited from is refused with
// EditConflictError when the node was saved since:
//   "__databus__"  the version the engine stores with the text, compared in
//                  the engine's write (Database::write_client_config_text_if),
//                  so the check holds for every process on the store; the
//                  backup is of the text the save replaces.
//   "__clients__"  the list's text (no time); checked before the save, not
//                  atomically, which is enough for a node whose saves only
//                  add clients.
//   <file id>      the file's time and text; checked and written under this
//                  object's lock (a process on the same host writing the
//                  file meanwhile is not seen).
//
// Thread-safety: every method may be called from any thread (the database is
// thread-safe). Saves of "__databus__" are ordered by the engine, saves of
// an external file by this object's lock.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "databus/client.h"
#include "databus/database.h"
#include "databus/dispatcher.h"
#include "databus/registry.h"
#include "databus/ticket.h"

namespace databus::dispatch {

inline constexpr char kDatabusNode[] = "__databus__";
inline constexpr char kClientsNode[] = "__clients__";
inline constexpr char kRootClient[] = "root";

// Parses `text` as the configuration of `client_id` and checks every component
// it names against `registry` (Registry::check_client: modules, settings,
// their types and ranges). Every problem is a ConfigError whose where() names
// `where` and the passenger and whose field() names the key (unknown modules
// too); all are found in one pass. Throws the ConfigError when there is one
// problem, ConfigProblems when there are several. Returns the parsed
// configuration.
ClientConfig validate_client_config(const Registry& registry, const std::string& client_id,
                                    const std::string& text, const std::string& where);

class Customizing {
 public:
  // `database` and `registry` must outlive this object.
  Customizing(Database& database, const Registry& registry,
              std::vector<ExternalConfigFile> external_files);

  // The nodes of `client_id`: "__databus__", "__clients__" for root, then the
  // client's external files in ticket order.
  std::vector<CustomizingNode> nodes(const std::string& client_id) const;

  // The node's current text. Throws NotFoundError for an unknown node (or an
  // external file that does not exist) and StorageError when unreadable.
  std::string read(const std::string& client_id, const std::string& node);
  // read() with the text's version.
  VersionedText read_versioned(const std::string& client_id, const std::string& node);

  // Validates, backs up the current content, saves; returns the new
  // version. Throws ConfigError naming the node (and field) for invalid
  // text, ForbiddenError when a `client` editor adds or changes a host
  // setting of "__databus__" outside the stored configuration's delegation
  // (registry/host_access.h), and EditConflictError naming the node when
  // save.expected_version is set and not the node's current version; then
  // nothing has changed (a conflict found by the engine's write may leave
  // one more backup).
  ConfigVersion save(const std::string& client_id, const std::string& node, const std::string& text,
                     const CustomizingSave& save = {});

  // Backs up every node of every client (dispatcher start). A node that
  // cannot be read is reported in the process log and skipped.
  void backup_all();

 private:
  const ExternalConfigFile* external_file(const std::string& client_id,
                                          const std::string& node) const;
  ConfigVersion save_config(const std::string& client_id, const std::string& text,
                            const CustomizingSave& save);
  ConfigVersion save_clients(const std::string& text, const std::string& expected_version);
  ConfigVersion save_file(const std::string& client_id, const std::string& node,
                          const std::string& text, const std::string& expected_version);

  Database& database_;
  const Registry& registry_;
  std::vector<ExternalConfigFile> external_files_;
  std::mutex files_mutex_;  // Orders the comparison and write of external files' saves.
};

}  // namespace databus::dispatch
