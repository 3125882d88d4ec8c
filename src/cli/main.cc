// `databus`: the command-line program on top of libdatabus.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "databus/error.h"
#include "databus/version.h"
#include "logging/process_log.h"

namespace {

int fail(const std::string& message) {
  std::cerr << "databus: error: " << message << std::endl;
  return databus::cli::kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace databus::cli;

  CLI::App app(
      "Databus " DATABUS_VERSION
      ": asynchronous integration middleware. It pulls passengers (e-mails, orders, files) "
      "from source systems, queues them durably, processes them and pushes them to target "
      "systems, for many clients at once.",
      "databus");
  app.set_version_flag("--version", std::string("databus ") + databus::kVersion,
                       "Print the version and exit");
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("databus: error: ") + e.what() + "\nRun with --help for more information.\n";
  });

  // The process's own messages (docs/operations.md "Monitoring"); drive
  // logs keep their own format. Accepted before or after the command.
  std::string log_level = "info";
  std::string log_format = "text";
  add_log_options(app, log_level, log_format);
  app.parse_complete_callback([&] {
    databus::process_log::configure({databus::process_log::parse_level(log_level),
                                     databus::process_log::parse_format(log_format)});
  });

  int exit_code = kExitOk;
  add_run_command(app, &exit_code, std::vector<std::string>(argv + 1, argv + argc));
  add_init_command(app, &exit_code);
  add_drive_command(app, &exit_code);
  add_check_command(app, &exit_code);
  add_export_command(app, &exit_code);
  add_bench_command(app, &exit_code);
  add_passwd_command(app, &exit_code);
  add_components_command(app, &exit_code);
  add_schema_command(app, &exit_code);
  app.footer(
      "Run `databus COMMAND --help` for a command's flags and exit codes.\n"
      "Exit codes: 0 success, 1 findings (drive log with errors, check problems), 2 usage or "
      "startup error.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the reason and a hint; every usage error exits 2.
    app.exit(e);
    return kExitError;
  } catch (const UsageError& e) {
    return fail(e.what());
  } catch (const databus::Error& e) {
    return fail(e.what());
  } catch (const std::exception& e) {
    return fail(std::string("unexpected failure: ") + e.what());
  }
  return exit_code;
}
