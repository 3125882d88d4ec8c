// `databus run`: starts the dispatcher and runs until SIGINT or SIGTERM.

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/shutdown_signals.h"
#include "databus/dispatcher.h"
#include "databus/version.h"
#include "databus/web_server.h"

namespace databus::cli {
namespace {

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
};

DispatcherTicket ticket_from(const RunOptions& options) {
  DispatcherTicket ticket = cli::ticket_from(options.storage);
  ticket.run_web_server = !options.no_web;
  ticket.web_server_port = options.port;
  WebServerOptions web_options;
  web_options.host = options.web_host;
  web_options.allowed_hosts = options.allowed_hosts;
  web_options.tls_cert = options.tls_cert;
  web_options.tls_key = options.tls_key;
  ticket.web_server_factory = web_server_factory(web_options);
  ticket.system_alias = options.alias;
  for (const std::string& text : options.external_configs) {
    ticket.external_config_files.push_back(parse_external_config(text));
  }
  ticket.workers = options.workers;
  ticket.cycle = std::chrono::milliseconds(options.cycle_ms);
  ticket.shutdown_timeout = std::chrono::seconds(options.shutdown_timeout_s);
  ticket.lease_period = std::chrono::seconds(options.lease_seconds);
  return ticket;
}

int run(const RunOptions& options) {
  DispatcherTicket ticket = ticket_from(options);

  // Before the dispatcher starts any thread, so that its workers inherit the
  // blocked mask and only the signal thread sees SIGINT/SIGTERM.
  ShutdownSignals signals;

  // Startup errors (ConfigError, StorageError, UnknownModuleError, a web
  // port that cannot be bound) propagate to main(), which reports them and
  // exits 2. start() starts the web interface too (ticket.web_server_factory).
  Dispatcher dispatcher(std::move(ticket));
  dispatcher.start();

  const DispatcherStatus status = dispatcher.status();
  if (!status.web_address.empty())
    std::cout << "web interface: " << status.web_address << std::endl;
  std::cout << "databus " << kVersion << " running: engine " << dispatcher.database().engine()
            << " (" << dispatcher.database().describe() << "), data dir "
            << dispatcher.ticket().data_dir.string() << ", " << status.workers << " workers"
            << std::endl;

  // The handler refers to the dispatcher: stop the signal thread before the
  // dispatcher goes away, whichever way this function is left.
  struct StopSignals {
    ShutdownSignals& signals;
    ~StopSignals() { signals.stop(); }
  } stop_signals{signals};
  signals.start([&dispatcher](int signal, int count) {
    if (count == 1) {
      std::cerr << "databus: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
                << " received, shutting down after the running drives finish (at most "
                << dispatcher.ticket().shutdown_timeout.count() / 1000 << " s)" << std::endl;
      dispatcher.shutdown();
    } else {
      std::cerr << "databus: still shutting down, waiting for "
                << dispatcher.status().running_drives << " running drive(s) to finish" << std::endl;
    }
  });

  dispatcher.wait();
  std::cout << "databus stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Start the dispatcher: read every client's configuration each cycle and drive each "
      "client passenger when it is due, until SIGINT or SIGTERM. A first signal starts no new "
      "drive and lets running drives finish (up to --shutdown-timeout, then they end at their "
      "next step), then exits 0; a second one only reports what is still running. A fresh "
      "data directory gets the clients root and demo.");
  add_storage_options(*command, options->storage);
  add_plugin_option(*command, options->storage.plugin_dirs);
  command->add_option("--port", options->port, "Port of the web interface; 0 picks a free one")
      ->type_name("N")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  command->add_flag("--no-web", options->no_web, "Do not start the web interface");
  command
      ->add_option("--web-host", options->web_host,
                   "Address the web interface listens on; 0.0.0.0 serves other hosts (use TLS)")
      ->type_name("ADDR")
      ->capture_default_str();
  command
      ->add_option("--allowed-host", options->allowed_hosts,
                   "Host name the web interface answers for besides IP addresses, localhost and "
                   "--web-host (against DNS rebinding); repeatable, * allows any. Default: none")
      ->type_name("NAME")
      ->allow_extra_args(false);
  command->add_option("--tls-cert", options->tls_cert, "Serve HTTPS with this PEM certificate")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command->add_option("--tls-key", options->tls_key, "Private key (PEM) of --tls-cert")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  command
      ->add_option("--alias", options->alias,
                   "System alias shown on top of the web interface, to tell test from live")
      ->type_name("TEXT")
      ->capture_default_str();
  command
      ->add_option("--external-config", options->external_configs,
                   "Local JSON file made editable as a customizing node of CLIENT, named ID; "
                   "repeatable. Default: none")
      ->type_name("CLIENT:ID:PATH")
      ->allow_extra_args(false);
  command
      ->add_option("--workers", options->workers,
                   "Drives running at once; 0 means the number of cores")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      ->add_option("--cycle-ms", options->cycle_ms,
                   "How often the dispatcher rereads the clients and looks for due drives, in "
                   "milliseconds")
      ->type_name("N")
      ->check(CLI::Range(1, 3600 * 1000))
      ->capture_default_str();
  command
      ->add_option("--shutdown-timeout", options->shutdown_timeout_s,
                   "After SIGINT or SIGTERM, how long running drives may go on, in seconds; "
                   "then they end at their next step and what they did not finish is retried at "
                   "the next start")
      ->type_name("SECONDS")
      ->check(CLI::Range(0, 24 * 3600))
      ->capture_default_str();
  command
      ->add_option("--lease-seconds", options->lease_seconds,
                   "On PostgreSQL shared by several nodes: how long a node's lease on a client "
                   "passenger lasts without renewal; a dead node's passengers are taken over "
                   "within two periods (docs/cluster.md)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code] { *exit_code = run(*options); });
}

}  // namespace databus::cli
