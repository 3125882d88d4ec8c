#include "cli/run_options.h"

#include <chrono>

#include "databus/web_server.h"

namespace databus::cli {

void add_run_options(CLI::App& command, RunOptions& options) {
  add_storage_options(command, options.storage);
  add_plugin_option(command, options.storage.plugin_dirs);
  add_spool_option(command, options.storage);
  command.add_option("--port", options.port, "Port of the web interface; 0 picks a free one")
      ->type_name("N")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  command.add_flag("--no-web", options.no_web, "Do not start the web interface");
  command
      .add_option("--web-host", options.web_host,
                  "Address the web interface listens on; 0.0.0.0 serves other hosts (use TLS)")
      ->type_name("ADDR")
      ->capture_default_str();
  command
      .add_option("--allowed-host", options.allowed_hosts,
                  "Host name the web interface answers for besides IP addresses, localhost and "
                  "--web-host (against DNS rebinding); repeatable, * allows any. Default: none")
      ->type_name("NAME")
      ->allow_extra_args(false);
  command.add_option("--tls-cert", options.tls_cert, "Serve HTTPS with this PEM certificate")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command.add_option("--tls-key", options.tls_key, "Private key (PEM) of --tls-cert")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command
      .add_option("--alias", options.alias,
                  "System alias shown on top of the web interface, to tell test from live")
      ->type_name("TEXT")
      ->capture_default_str();
  command
      .add_option("--external-config", options.external_configs,
                  "Local JSON file made editable as a customizing node of CLIENT, named ID; "
                  "repeatable. Default: none")
      ->type_name("CLIENT:ID:PATH")
      ->allow_extra_args(false);
  command
      .add_option("--workers", options.workers,
                  "Drives running at once; 0 means the number of cores")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      .add_option("--cycle-ms", options.cycle_ms,
                  "How often the dispatcher rereads the clients and looks for due drives, in "
                  "milliseconds")
      ->type_name("N")
      ->check(CLI::Range(1, 3600 * 1000))
      ->capture_default_str();
  command
      .add_option("--shutdown-timeout", options.shutdown_timeout_s,
                  "After SIGINT or SIGTERM, how long running drives may go on, in seconds; "
                  "then they end at their next step and what they did not finish is retried at "
                  "the next start")
      ->type_name("SECONDS")
      ->check(CLI::Range(0, 24 * 3600))
      ->capture_default_str();
  command
      .add_option("--lease-seconds", options.lease_seconds,
                  "On PostgreSQL shared by several nodes: how long a node's lease on a client "
                  "passenger lasts without renewal; a dead node's passengers are taken over "
                  "within two periods (docs/cluster.md)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command
      .add_option("--metrics-address", options.metrics_address,
                  "Also serve GET /metrics (Prometheus), and nothing else, on this address "
                  "without authentication; on the web interface it needs a bearer token. "
                  "Default: none")
      ->type_name("HOST:PORT");
  command
      .add_option("--history-days", options.history_days,
                  "Days the per-minute flow history of the dashboard's charts is kept in the "
                  "store")
      ->type_name("DAYS")
      ->check(CLI::Range(1, 3660))
      ->capture_default_str();
  command
      .add_flag("--demo", options.demo,
                "A developer's store: an empty store gets root (password root) and the demo "
                "client (demo/demo), and the web interface serves these known passwords. Without "
                "it an empty store gets root with a random password, printed once, and the web "
                "refuses users whose password is still a default one. Never in production")
      ->configurable(false);
  command
      .add_option("--log-file", options.log_file,
                  "Append stdout and stderr to this file, reopened on SIGHUP (for logrotate). "
                  "Default: none (under systemd, the journal)")
      ->type_name("FILE");
  command
      .add_option("--config", options.config_file,
                  "Read flags from this file, one `name = value` per line (e.g. `port = 5000`, "
                  "`database-arg = [\"host=db\"]`); the command line overrides it. SIGHUP "
                  "re-reads it")
      ->type_name("FILE")
      ->configurable(false);
}

void apply_flags_file(CLI::App& command, const std::string& path) {
  CLI::ConfigTOML format;
  for (const CLI::ConfigItem& item : format.from_file(path)) {  // CLI::FileError.
    if (item.name == "++" || item.name == "--" || !item.parents.empty()) {
      throw UsageError("--config " + path + ": sections are not supported (\"" + item.fullname() +
                       "\"); write the flags of `databus run` at the top level");
    }
    CLI::Option* option = command.get_option_no_throw("--" + item.name);
    if (option == nullptr) {
      throw UsageError("--config " + path + ": unknown flag \"" + item.name +
                       "\" (`databus run --help` lists them)");
    }
    if (!option->get_configurable()) {
      throw UsageError("--config " + path + ": \"" + item.name +
                       "\" may be given on the command line only");
    }
    if (!option->empty()) continue;  // Given on the command line.
    if (option->get_expected_min() == 0) {
      option->add_result(option->get_flag_value(item.name, format.to_flag(item)));
    } else {
      option->add_result(item.inputs);
    }
    option->run_callback();  // Checks (ranges, files) and stores the value.
  }
}

DispatcherTicket run_ticket(const RunOptions& options) {
  DispatcherTicket ticket = cli::ticket_from(options.storage);
  ticket.run_web_server = !options.no_web;
  ticket.web_server_port = options.port;
  WebServerOptions web_options;
  web_options.host = options.web_host;
  web_options.allowed_hosts = options.allowed_hosts;
  web_options.tls_cert = options.tls_cert;
  web_options.tls_key = options.tls_key;
  web_options.metrics_address = options.metrics_address;
  web_options.allow_default_passwords = options.demo;
  ticket.web_server_factory = web_server_factory(web_options);
  ticket.system_alias = options.alias;
  // The first clients are made by the command (first_start.h), which can
  // tell the operator the random password of root.
  ticket.create_default_clients = false;
  for (const std::string& text : options.external_configs) {
    ticket.external_config_files.push_back(parse_external_config(text));
  }
  ticket.workers = options.workers;
  ticket.cycle = std::chrono::milliseconds(options.cycle_ms);
  ticket.shutdown_timeout = std::chrono::seconds(options.shutdown_timeout_s);
  ticket.lease_period = std::chrono::seconds(options.lease_seconds);
  ticket.flow_history_days = options.history_days;
  return ticket;
}

std::string effective_run_settings(const std::vector<std::string>& args) {
  CLI::App app("databus", "databus");
  std::string log_level, log_format;  // Not run flags; parsed so that they are allowed.
  add_log_options(app, log_level, log_format);
  RunOptions options;
  CLI::App* command = app.add_subcommand("run");
  add_run_options(*command, options);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11's order.
  app.parse(reversed);
  if (!options.config_file.empty()) apply_flags_file(*command, options.config_file);
  return command->config_to_str(false, false);
}

}  // namespace databus::cli
