// `databus drive`: one drive of one client passenger, now.

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "databus/dispatcher.h"

namespace databus::cli {
namespace {

struct DriveOptions {
  StorageOptions storage;
  std::string client_id;
  std::string passenger;
  int lease_seconds = 15;
};

int drive(const DriveOptions& options) {
  DispatcherTicket ticket = ticket_from(options.storage);
  ticket.run_web_server = false;
  // Only `databus init` and `databus run` make first clients (first_start.h).
  ticket.create_default_clients = false;
  ticket.lease_period = std::chrono::seconds(options.lease_seconds);
  Dispatcher dispatcher(std::move(ticket));
  // An unknown client or passenger throws NotFoundError: main() reports it
  // and exits 2.
  const Log log = dispatcher.drive_now(options.client_id, options.passenger);
  const std::string text = log.to_text();
  std::cout << text;
  if (!text.empty() && text.back() != '\n') std::cout << "\r\n";
  std::cout.flush();
  return log.has_errors() ? kExitFindings : kExitOk;
}

}  // namespace

void add_drive_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<DriveOptions>();
  CLI::App* command = app.add_subcommand(
      "drive",
      "Run one drive of CLIENT's passenger type PASSENGER now (pull, seat, notify, process, "
      "push), store its log and print the log to stdout in the log file form. The web interface "
      "is not started, and no client is created (`databus init` does that).");
  command->add_option("CLIENT", options->client_id, "Client id, e.g. demo")->required();
  command
      ->add_option("PASSENGER", options->passenger,
                   "Client passenger (passenger module), e.g. "
                   "databus.passenger.demo.demo_passenger_1")
      ->required();
  add_storage_options(*command, options->storage);
  add_plugin_option(*command, options->storage.plugin_dirs);
  add_spool_option(*command, options->storage);
  command
      ->add_option("--lease-seconds", options->lease_seconds,
                   "On PostgreSQL shared by several nodes: the lease this drive holds on the "
                   "client passenger (waiting while a node drives it; docs/cluster.md)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  command->footer(
      exit_codes_footer("the drive's log holds an error (the drive itself ran; what failed is "
                        "retried when its next attempt is due)"));
  command->callback([options, exit_code] { *exit_code = drive(*options); });
}

}  // namespace databus::cli
