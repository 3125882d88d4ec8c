// The `databus` commands. Each add_*_command() adds one subcommand to the
// application; when the command line selects it, its callback runs the
// command and stores the command's exit code in `*exit_code`. Errors that
// stop a command (databus::Error, UsageError) propagate to main(), which
// prints them as "databus: error: <message>" and exits 2.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace databus::cli {

// `args`: the program's arguments after its name, which SIGHUP parses again
// to re-read the flags file.
void add_run_command(CLI::App& app, int* exit_code, std::vector<std::string> args);
void add_init_command(CLI::App& app, int* exit_code);
void add_drive_command(CLI::App& app, int* exit_code);
void add_check_command(CLI::App& app, int* exit_code);
void add_export_command(CLI::App& app, int* exit_code);
void add_bench_command(CLI::App& app, int* exit_code);
void add_passwd_command(CLI::App& app, int* exit_code);
void add_components_command(CLI::App& app, int* exit_code);
void add_schema_command(CLI::App& app, int* exit_code);

}  // namespace databus::cli
