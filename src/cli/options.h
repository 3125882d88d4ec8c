// Option helpers shared by the `databus` commands: the storage options every
// command takes, the parsing of the repeatable KEY=VALUE and CLIENT:ID:PATH
// flags, and the exit codes the commands document.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "databus/database.h"
#include "databus/registry.h"
#include "databus/ticket.h"

namespace databus::cli {

// Exit codes of every command (also listed in each command's --help).
inline constexpr int kExitOk = 0;
// `drive`: the drive's log holds an error; `check`: a problem was found.
inline constexpr int kExitFindings = 1;
// Usage errors and startup errors: bad flags, unknown client or passenger,
// an invalid configuration, a data directory another process holds.
inline constexpr int kExitError = 2;

// A command-line value that cannot be understood. main() prints the message
// as "databus: error: <message>" and exits with kExitError.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The storage options shared by run, init, drive and check.
struct StorageOptions {
  std::string data_dir = "data/json_db";
  std::string database = "json_db";
  std::vector<std::string> database_args;  // Raw KEY=VALUE texts.
  // --plugin-dir (add_plugin_option): folders of plugins (plugin.h).
  std::vector<std::string> plugin_dirs;
  // --large-attachment-bytes (add_spool_option): the ticket's field.
  std::uint64_t large_attachment_bytes = DispatcherTicket().large_attachment_bytes;
};

// Adds --data-dir, --database and --database-arg to `command`, bound to `options`.
void add_storage_options(CLI::App& command, StorageOptions& options);

// --log-level and --log-format of the process log (docs/operations.md
// "Process logs") on the program's `app`, accepted before or after the
// command (the app falls through; call it before adding the commands).
void add_log_options(CLI::App& app, std::string& level, std::string& format);

// Adds --large-attachment-bytes N (DispatcherTicket::large_attachment_bytes)
// to `command`, bound to `options`: for the commands that drive.
void add_spool_option(CLI::App& command, StorageOptions& options);

// Adds the repeatable --plugin-dir DIR to `command`, bound to `dirs`.
void add_plugin_option(CLI::App& command, std::vector<std::string>& dirs);

// The built-ins plus the plugins of `dirs` (load_plugins(); its Error
// propagates to main(), which exits 2).
std::shared_ptr<Registry> registry_with_plugins(const std::vector<std::string>& dirs);

// The exit-code paragraph of a command's --help; `findings` explains exit 1
// (empty when the command never exits 1).
std::string exit_codes_footer(std::string_view findings);

// Parses repeated "KEY=VALUE" texts. The key must be non-empty; the value may
// be empty and may itself contain '='. A repeated key keeps its last value.
// Throws UsageError naming the flag and the text.
DatabaseArguments parse_database_arguments(const std::vector<std::string>& texts);

// Parses "CLIENT:ID:PATH". CLIENT and ID must be non-empty and PATH must be
// non-empty; PATH may contain ':'. Throws UsageError naming the flag and text.
ExternalConfigFile parse_external_config(const std::string& text);

// A ticket holding the storage options and plugin folders (the registry of
// built-ins and those plugins is made by the dispatcher);
// everything else keeps its default. Throws UsageError for bad arguments.
DispatcherTicket ticket_from(const StorageOptions& options);

// Opens the storage engine named in `options` directly, without a dispatcher
// (no default clients, no customizing backups). Throws UnknownModuleError,
// StorageError (e.g. the data directory is held by another process) and
// UsageError.
std::unique_ptr<Database> open_database(const StorageOptions& options,
                                        std::shared_ptr<const Registry> registry);

}  // namespace databus::cli
