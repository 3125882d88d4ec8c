// `databus run`: starts the dispatcher and runs until SIGINT or SIGTERM;
// SIGHUP re-reads the flags file and reopens the log file.

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/first_start.h"
#include "cli/options.h"
#include "cli/run_options.h"
#include "cli/service_manager.h"
#include "cli/shutdown_signals.h"
#include "databus/dispatcher.h"
#include "databus/version.h"
#include "logging/process_log.h"

namespace databus::cli {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// SIGHUP: reopens the log file and parses the command line and the flags
// file again. The dispatcher's settings are fixed while it runs, so a
// changed flag is named with the note that it takes effect at the next
// start; a file that no longer parses is reported and the process goes on.
void reload(const RunOptions& options, const std::vector<std::string>& args,
            const std::string& flags_path, const std::string& running_settings) {
  notify_service_manager("RELOADING=1");
  if (!options.log_file.empty()) {
    try {
      open_log_file(options.log_file);
    } catch (const std::exception& e) {
      process_log::error("run") << "SIGHUP: " << e.what() << "; logging on to the old file";
    }
  }
  std::string report = "SIGHUP: log file reopened";
  if (options.log_file.empty()) report = "SIGHUP: no log file to reopen";
  if (!flags_path.empty()) {
    try {
      const std::vector<std::string> now = lines_of(effective_run_settings(args));
      const std::vector<std::string> before = lines_of(running_settings);
      std::string changed;
      for (const std::string& line : now) {
        if (std::find(before.begin(), before.end(), line) == before.end()) {
          changed += (changed.empty() ? "" : ", ") + line;
        }
      }
      for (const std::string& line : before) {
        const std::string name = line.substr(0, line.find('='));
        const bool still = std::any_of(now.begin(), now.end(), [&name](const std::string& l) {
          return l.substr(0, l.find('=')) == name;
        });
        if (!still) changed += (changed.empty() ? "" : ", ") + name + " (back to its default)";
      }
      report += "; flags file " + flags_path + " re-read: " +
                (changed.empty() ? std::string("unchanged")
                                 : "changed " + changed + ", in effect after a restart");
    } catch (const std::exception& e) {
      report += "; flags file " + flags_path + " no longer parses (" + e.what() +
                "); running on with the settings it was started with";
    }
  }
  process_log::info("run") << report;
  notify_service_manager("READY=1\nSTATUS=running; " + report);
}

int run(const RunOptions& options, const std::vector<std::string>& args,
        const std::string& flags_path) {
  if (!options.log_file.empty()) open_log_file(options.log_file);
  const std::string running_settings = flags_path.empty() ? "" : effective_run_settings(args);
  DispatcherTicket ticket = run_ticket(options);

  // Before the dispatcher starts any thread, so that its workers inherit the
  // blocked mask and only the signal thread sees SIGINT/SIGTERM/SIGHUP.
  ShutdownSignals signals;

  // Startup errors (ConfigError, StorageError, UnknownModuleError, a web
  // port that cannot be bound) propagate to main(), which reports them and
  // exits 2. start() starts the web interface too (ticket.web_server_factory).
  Dispatcher dispatcher(std::move(ticket));
  if (dispatcher.database().client_ids().empty()) {
    create_first_clients(dispatcher.database(),
                         options.demo ? FirstStart::demo : FirstStart::production, std::cout);
  }
  dispatcher.start();

  const DispatcherStatus status = dispatcher.status();
  if (!status.web_address.empty())
    std::cout << "web interface: " << status.web_address << std::endl;
  std::cout << "databus " << kVersion << " running: engine " << dispatcher.database().engine()
            << " (" << dispatcher.database().describe() << "), data dir "
            << dispatcher.ticket().data_dir.string() << ", " << status.workers << " workers"
            << std::endl;
  // The store is open and the web interface listens: systemd may start what
  // comes after databus.service (Type=notify).
  notify_service_manager("READY=1\nSTATUS=running; web interface " +
                         (status.web_address.empty() ? std::string("off") : status.web_address));

  // The handler refers to the dispatcher: stop the signal thread before the
  // dispatcher goes away, whichever way this function is left.
  struct StopSignals {
    ShutdownSignals& signals;
    ~StopSignals() { signals.stop(); }
  } stop_signals{signals};
  signals.start(
      [&dispatcher](int signal, int count) {
        if (count == 1) {
          notify_service_manager("STOPPING=1\nSTATUS=stopping: waiting for running drives");
          process_log::info("run")
              << (signal == SIGINT ? "SIGINT" : "SIGTERM")
              << " received, shutting down after the running drives finish (at most "
              << dispatcher.ticket().shutdown_timeout.count() / 1000 << " s)";
          dispatcher.shutdown();
        } else {
          process_log::info("run")
              << "still shutting down, waiting for " << dispatcher.status().running_drives
              << " running drive(s) to finish";
        }
      },
      [&options, &args, &flags_path, &running_settings] {
        reload(options, args, flags_path, running_settings);
      });

  dispatcher.wait();
  std::cout << "databus stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, int* exit_code, std::vector<std::string> args) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Start the dispatcher: read every client's configuration each cycle and drive each "
      "client passenger when it is due, until SIGINT or SIGTERM. A first signal starts no new "
      "drive and lets running drives finish (up to --shutdown-timeout, then they end at their "
      "next step), then exits 0; a second one only reports what is still running. SIGHUP "
      "reopens --log-file and re-reads --config. Tells systemd when it is ready (Type=notify). "
      "An empty store gets the client root with a random password, printed once (--demo: a "
      "developer's store with root/root and demo/demo).");
  add_run_options(*command, *options);
  command->footer(exit_codes_footer(""));
  command->callback([options, exit_code, command, args = std::move(args)] {
    if (!options->config_file.empty()) apply_flags_file(*command, options->config_file);
    *exit_code = run(*options, args, options->config_file);
  });
}

}  // namespace databus::cli
