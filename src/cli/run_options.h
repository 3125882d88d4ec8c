// The flags of `databus run`, shared by the command and by its SIGHUP
// re-read of the flags file (--config; docs/operations.md, "Configuration").
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/options.h"
#include "databus/ticket.h"

namespace databus::cli {

struct RunOptions {
  StorageOptions storage;
  int port = 5000;
  bool no_web = false;
  std::string alias = "Databus";
  std::vector<std::string> external_configs;
  int workers = 0;
  int cycle_ms = 1000;
  int shutdown_timeout_s = 30;
  int lease_seconds = 15;
  std::string web_host = "127.0.0.1";
  std::vector<std::string> allowed_hosts;
  std::string tls_cert;
  std::string tls_key;
  // A developer's store: root/root and demo/demo on a first start, and the
  // web interface serves those known passwords (first_start.h).
  bool demo = false;
  // stdout and stderr go to this file (appended), reopened on SIGHUP, so
  // that logrotate can move it away. Empty: they stay where they are.
  std::string log_file;
  // The flags file (--config); empty: none.
  std::string config_file;
  // Also serve GET /metrics here without authentication (HOST:PORT);
  // empty: none (docs/operations.md "Monitoring").
  std::string metrics_address;
  // Days the Dashboard's flow history is kept (flow_history_days).
  int history_days = 7;
};

// Adds every flag of `databus run`, bound to `options`, and --config FILE
// (read by apply_flags_file()).
void add_run_options(CLI::App& command, RunOptions& options);

// Sets the flags of `command` that the command line left unset from the
// flags file `path`: one `name = value` per line in CLI11's TOML form, the
// long flag's name without its dashes (`port = 5000`, `database-arg =
// ["host=db", "user=databus"]`, `no-web = true`), `#` comments. A flag given
// on the command line wins over the file. Throws UsageError naming the file
// and the name for an unknown name, a section or a flag the file may not set
// (--demo, --config), CLI::FileError for a file it cannot read, and
// CLI::ValidationError (or another CLI::ParseError) for a bad value.
void apply_flags_file(CLI::App& command, const std::string& path);

// The ticket `databus run` starts the dispatcher with. Throws UsageError.
DispatcherTicket run_ticket(const RunOptions& options);

// Parses `args` (the program's arguments after its name, starting with
// "run") again with a fresh set of run flags, and its flags file, so that a
// changed file is read as at a start. Returns the effective settings, one "name=value"
// per line (CLI11's config form, defaults left out). Throws what
// apply_flags_file() throws, and CLI::ParseError for `args`.
std::string effective_run_settings(const std::vector<std::string>& args);

}  // namespace databus::cli
