// Dispatcher: the engine (docs/architecture.md "Concepts" and "The transport algorithm"). Starting
// one means Databus is up.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "databus/database.h"
#include "databus/log.h"
#include "databus/node_metrics.h"
#include "databus/ticket.h"
#include "databus/time.h"

namespace databus {

enum class DispatcherState { created, running, paused, shutting_down, stopped };
std::string_view to_string(DispatcherState state);

// Schedule and last result of one client passenger.
struct PassengerSchedule {
  std::string client_id;
  std::string passenger;
  std::optional<TimePoint> last_drive_start;
  std::optional<TimePoint> last_drive_end;
  std::optional<LogType> last_worst_type;  // Of the last drive's log.
  TimePoint next_due{};
  bool running = false;
};

// A line of a drive's log as it was written (Dispatcher::tail_lines()).
struct TailLine {
  std::uint64_t seq = 0;  // Increases by one with every line of the node.
  std::string client_id;
  std::string passenger;
  std::string log_guid;  // The drive's log.
  LogEntry entry;
};

struct DispatcherStatus {
  DispatcherState state = DispatcherState::created;
  TimePoint started{};
  int workers = 0;
  int running_drives = 0;
  bool export_running = false;
  std::vector<PassengerSchedule> passengers;
  // Clients whose configuration could not be read at the last cycle, with the
  // message naming file and field. Other clients are driven all the same.
  std::vector<std::string> config_errors;
  // Where the web interface serves (e.g. "http://127.0.0.1:5000/") once
  // start() started it; empty without one.
  std::string web_address;
};

// The cluster this dispatcher is a node of (docs/cluster.md), when its
// engine is shared by several nodes (Database::coordination()).
struct ClusterStatus {
  bool enabled = false;  // False: one process owns the store; nothing below.
  std::string node_id;   // This node.
  Clock::duration lease_period{};
  std::vector<NodeInfo> nodes;    // With a recent heartbeat, sorted by id.
  std::vector<LeaseInfo> leases;  // Every client passenger's schedule and lease.
};

// Who saves a customizing node. Settings that reach the host (a command, a
// file-system path, a program's environment) and a client's "host_access"
// are the operator's decision: `root` (the operator's own code, root's
// administrators) sets them; `client` (a client's own administrators, its
// anonymous user) changes them only within root's delegation
// (docs/security.md, "Host access").
enum class Editor { root, client };

// A customizing node (docs/architecture.md "Concepts") of one client.
struct CustomizingNode {
  std::string name;  // "__databus__", "__clients__" or an external file id.
  bool root_only = false;
  bool external = false;  // An external config file of the ticket.
};

// How a customizing node is saved (Dispatcher::save_customizing).
struct CustomizingSave {
  Editor editor = Editor::root;
  // The version (ConfigVersion::tag) the text was edited from, as
  // read_customizing_versioned() gave it: the save is refused with
  // EditConflictError (config_version.h) when the node was saved since
  // (docs/api.md "Edit conflicts"). Default: empty, no check; the
  // save replaces whatever is stored (the CLI, API clients that send no
  // version).
  std::string expected_version;
  // Who saves ("alice@demo"), kept with the new version of "__databus__";
  // empty when unknown.
  std::string saved_by;
};

// Thread-safety: every public method may be called from any thread (the web
// server calls them while drives run).
class Dispatcher {
 public:
  // Fills the ticket's missing factories with the primal ones, opens the
  // database, creates the root and demo clients when there is none (and
  // ticket.create_default_clients), and backs up every customizing node.
  // Throws ConfigError / UnknownModuleError / StorageError when the ticket
  // cannot work (unknown engine, unreadable data directory).
  explicit Dispatcher(DispatcherTicket ticket);
  // Shuts down and waits for running drives.
  ~Dispatcher();

  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the web interface when ticket.run_web_server is on (through
  // ticket.web_server_factory; it stops when the dispatcher stops), then
  // scheduling drives on the worker pool, and returns at once. Throws what
  // the web interface throws (e.g. Error for a port in use); then nothing
  // was started.
  void start();
  // Blocks until the dispatcher has stopped (after shutdown()).
  void wait();
  // start() then wait().
  void run();

  // Lets running drives finish, then starts no new ones until resume().
  // Throws StateError while shutting down.
  void pause();
  void resume();
  // Starts no new drive, lets running drives and a running export finish,
  // then stops (the web interface too). Drives still running after the
  // ticket's shutdown_timeout are told to stop and end at their next step
  // boundary. Returns at once; wait() blocks until done. Idempotent.
  void shutdown();

  // --- The cluster (docs/cluster.md) ------------------------------------------------
  // What the System page and GET /api/v1/cluster show.
  ClusterStatus cluster_status();
  // Pause, resume or shut down every node of the cluster (node_id empty) or
  // one node (NotFoundError for an unknown one); every node follows within
  // its next cycle, this one at once. Without a cluster they act on this
  // dispatcher, and node_id must be empty.
  void cluster_pause(const std::string& node_id = "");
  void cluster_resume(const std::string& node_id = "");
  void cluster_shutdown(const std::string& node_id = "");

  // Makes the client passenger due at once. Throws NotFoundError.
  void expedite(const std::string& client_id, const std::string& passenger);

  // Tells the observer that `entry` of `client_id` was seated outside a
  // drive (the web interface's inbox seats webhook passengers itself). What
  // the observer throws is caught and logged, as for its other calls.
  void report_seated(const std::string& client_id, const QueueEntry& entry);

  // --- A client passenger's queue outside drives ---------------------------------
  // Every change of a queue passes the lane of its client passenger, the one
  // door that drives pass too (docs/architecture.md "Lanes: one door per
  // client passenger"), so none of these races a drive or another of them.

  // Seats `passenger` (made for `passenger_config`, the client passenger's
  // configuration) outside a drive, as the webhook inbox does: through the
  // client passenger's queue, so its deduplication applies, holding the
  // lane's seat door, stored already notified and durable on return. The
  // queue's log lines and `note` go to the lane's inbox log, written before
  // the next drive of the client passenger (or within about 10 seconds), so
  // a burst of seats writes one log, not one per seat. Returns the seated
  // entry (and tells the observer, and expedites the client passenger), or
  // nullopt when the queue already holds a passenger with that source system
  // and external id. Throws StateError while an export of the client runs.
  std::optional<QueueEntry> seat(const std::string& client_id,
                                 const ClientPassenger& passenger_config, Passenger passenger,
                                 const std::string& note);

  // Changes the queue entry `internal_id` of the client: loads it, lets
  // `edit` change it, and stores its statuses (SaveScope::statuses), all
  // while holding the lane's queue door. Waits at most `wait` for a running
  // drive of its client passenger, then throws StateError; throws
  // NotFoundError for an unknown entry. Returns the entry as stored.
  QueueEntry edit_entry(const std::string& client_id, const std::string& internal_id,
                        const std::function<void(QueueEntry&)>& edit,
                        std::chrono::milliseconds wait = std::chrono::seconds(5));

  // Changes many queue entries of one client passenger under one hold of
  // its lane's queue door (and, in a cluster, its lease), as edit_entry()
  // does for one: reads the entries `selection` picks (its passenger_module
  // is set to `passenger`; attachments are not read), lets `edit` change
  // each and say whether it did, and stores the changed ones
  // (SaveScope::statuses). A bulk retry of quarantined steps uses it, so
  // that no drive of the passenger runs between its read and its write.
  // Same waiting rule; NotFoundError for an unknown client passenger.
  // Returns the changed entries as stored.
  std::vector<QueueEntry> edit_entries(const std::string& client_id, const std::string& passenger,
                                       EntryQuery selection,
                                       const std::function<bool(QueueEntry&)>& edit,
                                       std::chrono::milliseconds wait = std::chrono::seconds(5));

  // Deletes every complete entry of the client passenger through its lane
  // (same waiting rule). Returns how many were deleted.
  std::size_t purge_complete(const std::string& client_id, const std::string& passenger,
                             std::chrono::milliseconds wait = std::chrono::seconds(5));

  // Runs one drive now on the calling thread (waiting while a scheduled drive
  // of the same client passenger runs), stores its log and tells the observer.
  // Returns the drive's log. Throws NotFoundError.
  Log drive_now(const std::string& client_id, const std::string& passenger);

  DispatcherStatus status() const;
  const DispatcherTicket& ticket() const;
  const Factories& factories() const;
  // What this node's drives did since the dispatcher was made (node_metrics.h;
  // GET /metrics).
  const NodeMetrics& metrics() const;
  // The live tail: the newest log lines that this node's drives of
  // `client_id` wrote as they ran (the node keeps the last 1000 lines of
  // all clients), numbered above `after`, oldest first, at most `limit`.
  std::vector<TailLine> tail_lines(const std::string& client_id, std::uint64_t after,
                                   std::size_t limit = 200) const;
  Database& database();

  // --- Customizing (docs/architecture.md "Concepts")
  // -----------------------------------------------
  // "__databus__", "__clients__" (root only: the list of clients) and the
  // ticket's external config files of this client.
  std::vector<CustomizingNode> customizing_nodes(const std::string& client_id) const;
  std::string read_customizing(const std::string& client_id, const std::string& node);
  // The node's text with its current version, for a save that checks it.
  VersionedText read_customizing_versioned(const std::string& client_id, const std::string& node);
  // Validates `text` (JSON; for "__databus__" a valid client configuration),
  // writes a backup of the current content, then saves. Throws ConfigError
  // naming the node and field, ForbiddenError (error.h) when the editor is
  // a client's and the text adds or changes a host setting outside root's
  // delegation, and EditConflictError (config_version.h) when
  // `save.expected_version` is set and no longer the node's; then nothing is
  // changed. Returns the node's new version.
  ConfigVersion save_customizing(const std::string& client_id, const std::string& node,
                                 const std::string& text, const CustomizingSave& save);
  // save_customizing() without a version check.
  void save_customizing(const std::string& client_id, const std::string& node,
                        const std::string& text, Editor editor = Editor::root) {
    save_customizing(client_id, node, text, CustomizingSave{editor, "", ""});
  }

  // --- Export (issue: SQL engines) -------------------------------------------
  // Pauses (remembering whether it was paused), waits until no drive runs,
  // closes the client's queues (seats, edits and purges are refused until
  // end_export()) and tells the observer. Throws StateError when shutting down or when an
  // export already runs.
  void begin_export(const std::string& client_id);
  // Resumes unless it was paused before begin_export(); tells the observer.
  void end_export(const std::string& client_id, bool ok, const std::string& error);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace databus
