// DispatcherTicket: everything a dispatcher is started with (docs/architecture.md "Concepts").
// Every field has a default good enough for many cases: a default ticket runs the JSON DB in
// ./data/json_db with the web interface on port 5000.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "databus/database.h"
#include "databus/dispatcher_service.h"
#include "databus/factories.h"
#include "databus/observer.h"
#include "databus/registry.h"

namespace databus {

// A local JSON file made editable as a customizing node of `client_id`.
struct ExternalConfigFile {
  std::string client_id;
  std::string id;  // Node name shown in the web interface.
  std::filesystem::path path;
};

struct DispatcherTicket {
  // --- Behaviour ---------------------------------------------------------------

  // The component registry the primal factories consult.
  // Default: null, meaning a registry holding the built-ins (builtin_registry()).
  std::shared_ptr<const Registry> registry;

  // Folders of plugins (plugin.h) whose components join the default
  // registry: every "*.so" directly inside each. An operator's decision,
  // never a client's (a plugin runs in the Databus process). Only with
  // `registry` null (else ConfigError: load_plugins() into your own
  // registry). Default: none.
  std::vector<std::filesystem::path> plugin_dirs;

  // Factories turning module names into objects. Default: empty, meaning the
  // primal factories backed by `registry`.
  DatabaseFactory database_factory;
  DriverFactory driver_factory;
  PassengerFactory passenger_factory;
  QueueFactory queue_factory;
  PullerFactory puller_factory;
  ProcessorFactory processor_factory;
  PusherFactory pusher_factory;

  // Default: "databus.driver.primal_driver".
  std::string driver_module = "databus.driver.primal_driver";
  // Storage engine. Default: "json_db".
  std::string database_module = "json_db";
  // Engine arguments; JSON DB needs none. Default: empty.
  DatabaseArguments database_arguments;
  // Where the engine keeps its files (JSON DB: the folder holding clients/).
  // Default: "data/json_db", relative to the working directory.
  std::filesystem::path data_dir = "data/json_db";

  // Told about significant events; see observer.h. Default: none.
  std::shared_ptr<DispatcherObserver> dispatcher_observer;

  // Web interface. Default: on, port 5000 (0 picks a free port), served on
  // 127.0.0.1 from Dispatcher::start() until the dispatcher stops.
  bool run_web_server = true;
  int web_server_port = 5000;
  // Makes the web interface when run_web_server is on. Default: empty,
  // meaning the library's own (databus::default_web_server_factory() of
  // web_server.h) when the program links it; set
  // databus::web_server_factory(options) for another address or TLS.
  DispatcherServiceFactory web_server_factory;

  // Extra JSON files editable as customizing nodes. Default: none.
  std::vector<ExternalConfigFile> external_config_files;

  // Shown on top of every web page, to tell test from live. Default: "Databus".
  std::string system_alias = "Databus";

  // Create the `root` and `demo` clients when the database has no client.
  // Default: true.
  bool create_default_clients = true;

  // Days the flow history (database.h "Flow history": per-minute counts
  // of each client passenger, the dashboard's charts) is kept. Default: 7.
  int flow_history_days = 7;

  // --- Performance -------------------------------------------------------------

  // Attachments a component makes with more bytes than this are spooled:
  // kept in a file under <data_dir>/.spool and streamed, never held whole in
  // memory (docs/architecture.md "Large attachments"). Default: 16 MiB.
  std::uint64_t large_attachment_bytes = std::uint64_t{16} << 20;

  // Drives running at once. Default: 0, meaning the number of cores.
  int workers = 0;

  // How often the dispatcher rereads the clients and looks for due drives.
  // Default: 1 second.
  std::chrono::milliseconds cycle = std::chrono::seconds(1);

  // --- Stopping ------------------------------------------------------------------

  // After shutdown(), how long running drives may go on before they are told
  // to stop (DriveContext::stop_requested()), which ends them at their next
  // step boundary; what they did not finish is retried at the next start.
  // Default: 30 seconds.
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(30);

  // --- Cluster -------------------------------------------------------------------

  // On an engine several nodes share (PostgreSQL; docs/cluster.md): how long
  // a lease on a client passenger lasts without renewal. A node that dies is
  // replaced on its client passengers within two periods; a shorter period
  // costs more renewals. Ignored by engines one process owns. Default: 15 s.
  std::chrono::milliseconds lease_period = std::chrono::seconds(15);
};

}  // namespace databus
