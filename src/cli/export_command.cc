// `databus export`: copies one client's data from the configured storage
// engine to another one (docs/api.md), with a progress bar on a terminal.

#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "databus/builtins.h"
#include "databus/factories.h"
#include "export/client_export.h"

namespace databus::cli {
namespace {

struct ExportCommandOptions {
  StorageOptions from;
  std::string client;
  std::string to_database;
  std::vector<std::string> to_args;
  std::string to_data_dir;  // Empty: the source's data directory.
};

// "[##########          ]  50% queue 3/6", redrawn in place on stderr.
void draw_progress(const ExportProgress& p) {
  constexpr int kWidth = 30;
  const std::size_t total = std::max<std::size_t>(p.total, 1);
  const int filled = static_cast<int>(kWidth * p.done / total);
  std::cerr << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] "
            << (100 * p.done / total) << "% " << p.phase << " " << p.done << "/" << p.total << "   "
            << std::flush;
}

int run_export(const ExportCommandOptions& options) {
  if (options.client.empty()) throw UsageError("--client: must not be empty");
  if (options.to_database.empty()) throw UsageError("--to-database: must not be empty");
  const std::shared_ptr<Registry> registry = builtin_registry();
  std::unique_ptr<Database> from = open_database(options.from, registry);

  DatabaseArguments to_arguments;
  try {
    to_arguments = parse_database_arguments(options.to_args);
  } catch (const UsageError& e) {
    std::string message = e.what();
    // parse_database_arguments() names its own flag; this one is --to-arg.
    if (message.rfind("--database-arg", 0) == 0) message.replace(0, 14, "--to-arg");
    throw UsageError(message);
  }
  const std::string to_dir =
      options.to_data_dir.empty() ? options.from.data_dir : options.to_data_dir;
  const Factories factories = Factories::primal(registry);
  std::unique_ptr<Database> to =
      factories.database(options.to_database, DatabaseEnv{to_dir, to_arguments});

  ExportOptions export_options;
  const bool terminal = isatty(STDERR_FILENO) != 0;
  if (terminal) export_options.progress = draw_progress;
  const ExportReport report = export_client(*from, *to, options.client, export_options);
  if (terminal) std::cerr << std::endl;
  std::cout << "exported client " << options.client << " from " << from->describe() << " to "
            << to->describe() << ": " << (report.configuration ? "configuration, " : "")
            << report.entries << " queue entries, " << report.logs << " logs, " << report.backups
            << " backups, " << report.passenger_states << " passenger state documents" << std::endl;
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ExportCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "export",
      "Copy one client's configuration (users included), the state documents of its "
      "configured passengers, customizing backups, queue entries with their attachments "
      "and logs from the storage engine given by --data-dir/--database/--database-arg to "
      "another engine. Entries already in the target are rewritten and logs replaced, so an "
      "interrupted export can be run again. Run it while "
      "`databus run` is stopped (the JSON DB refuses a second process anyway), or export from "
      "the web interface, which pauses the dispatcher. Shows a progress bar when stderr is a "
      "terminal.");
  add_storage_options(*command, options->from);
  command->add_option("--client", options->client, "Client to export")->type_name("ID")->required();
  command
      ->add_option("--to-database", options->to_database,
                   "Target storage engine (json_db, sqlite, postgresql, ...)")
      ->type_name("ENGINE")
      ->required();
  command
      ->add_option("--to-arg", options->to_args,
                   "Target engine argument, repeatable, as --database-arg (sqlite: path=FILE; "
                   "postgresql: host, port, dbname, user, password, schema or conninfo)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command
      ->add_option("--to-data-dir", options->to_data_dir,
                   "Data directory of the target engine. Default: the source's --data-dir")
      ->type_name("DIR");
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code] { *exit_code = run_export(*options); });
}

}  // namespace databus::cli
