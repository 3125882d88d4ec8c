#include "cli/options.h"

#include "databus/builtins.h"
#include "databus/factories.h"
#include "databus/plugin.h"
#include "logging/process_log.h"

namespace databus::cli {

void add_storage_options(CLI::App& command, StorageOptions& options) {
  command
      .add_option("--data-dir", options.data_dir,
                  "Data directory of the storage engine (JSON DB: the folder holding clients/), "
                  "relative to the working directory")
      ->type_name("DIR")
      ->capture_default_str();
  std::string engines;
  // Held here: the specs listed point into it (a temporary registry would be
  // gone before the loop reads them; ASan found it).
  const std::shared_ptr<const Registry> registry = builtin_registry();
  for (const ComponentSpec* spec : registry->list(ComponentKind::database)) {
    engines += (engines.empty() ? "" : ", ") + spec->name;
  }
  command.add_option("--database", options.database, "Storage engine (built in: " + engines + ")")
      ->type_name("ENGINE")
      ->capture_default_str();
  command
      .add_option("--database-arg", options.database_args,
                  "Engine argument, repeatable. JSON DB: none needed (path=DIR replaces "
                  "--data-dir); SQL engines take connection data. Default: none")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
}

void add_log_options(CLI::App& app, std::string& level, std::string& format) {
  app.add_option("--log-level", level,
                 "Least level of the process's own messages on stderr: trace, debug, info, "
                 "warning or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warning", "error"}))
      ->capture_default_str();
  app.add_option("--log-format", format,
                 "Form of the process's own messages: text, or json (one object a line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.fallthrough();
}

void add_spool_option(CLI::App& command, StorageOptions& options) {
  command
      .add_option("--large-attachment-bytes", options.large_attachment_bytes,
                  "Attachments larger than this are spooled: kept in a file under "
                  "<data dir>/.spool and streamed, never held whole in memory")
      ->type_name("BYTES")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
}

void add_plugin_option(CLI::App& command, std::vector<std::string>& dirs) {
  command
      .add_option("--plugin-dir", dirs,
                  "Folder of plugins, repeatable: every *.so directly inside is loaded and adds "
                  "its components (a plugin built for another Databus version is refused). "
                  "Default: none")
      ->type_name("DIR")
      ->allow_extra_args(false);
}

std::shared_ptr<Registry> registry_with_plugins(const std::vector<std::string>& dirs) {
  std::shared_ptr<Registry> registry = builtin_registry();
  load_plugins(*registry, std::vector<std::filesystem::path>(dirs.begin(), dirs.end()));
  return registry;
}

std::string exit_codes_footer(std::string_view findings) {
  std::string text = "Exit codes:\n  0  success\n";
  if (!findings.empty()) {
    text += "  1  ";
    text += findings;
    text += "\n";
  }
  text +=
      "  2  usage or startup error (bad flag, unknown client or passenger, invalid ticket, data "
      "directory locked by another process); the message starts with \"databus: error:\"";
  return text;
}

DatabaseArguments parse_database_arguments(const std::vector<std::string>& texts) {
  DatabaseArguments arguments;
  for (const std::string& text : texts) {
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw UsageError("--database-arg \"" + text + "\": expected KEY=VALUE with a non-empty KEY");
    }
    arguments[text.substr(0, equals)] = text.substr(equals + 1);
  }
  return arguments;
}

ExternalConfigFile parse_external_config(const std::string& text) {
  const std::size_t first = text.find(':');
  const std::size_t second = first == std::string::npos ? first : text.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos || first == 0 ||
      second == first + 1 || second + 1 == text.size()) {
    throw UsageError("--external-config \"" + text +
                     "\": expected CLIENT:ID:PATH with none of the three empty");
  }
  return ExternalConfigFile{text.substr(0, first), text.substr(first + 1, second - first - 1),
                            std::filesystem::path(text.substr(second + 1))};
}

DispatcherTicket ticket_from(const StorageOptions& options) {
  if (options.data_dir.empty()) throw UsageError("--data-dir: must not be empty");
  if (options.database.empty()) throw UsageError("--database: must not be empty");
  DispatcherTicket ticket;
  ticket.data_dir = options.data_dir;
  ticket.database_module = options.database;
  ticket.database_arguments = parse_database_arguments(options.database_args);
  // A password given as its own argument never reaches a process message.
  for (const auto& [key, value] : ticket.database_arguments) {
    for (const char* word : {"password", "secret", "token"}) {
      if (key.find(word) != std::string::npos) process_log::add_secret(value);
    }
  }
  ticket.plugin_dirs.assign(options.plugin_dirs.begin(), options.plugin_dirs.end());
  ticket.large_attachment_bytes = options.large_attachment_bytes;
  return ticket;
}

std::unique_ptr<Database> open_database(const StorageOptions& options,
                                        std::shared_ptr<const Registry> registry) {
  const DispatcherTicket ticket = ticket_from(options);
  const Factories factories = Factories::primal(std::move(registry));
  return factories.database(ticket.database_module,
                            DatabaseEnv{ticket.data_dir, ticket.database_arguments});
}

}  // namespace databus::cli
