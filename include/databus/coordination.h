// Coordination: what an engine shared by several Databus processes (nodes)
// offers so that they act as one cluster (docs/cluster.md,
// docs/architecture.md "Cluster"):
//
// - a lease per client passenger, claimed by one node at a time, renewed by
//   its holder, taken over at once when it expired; its token grows at each
//   claim, and every queue write of a drive is fenced by it (fenced());
// - the schedule: when each client passenger is next due, shared, so that N
//   nodes drive a passenger once per interval in total;
// - the nodes (a heartbeat each) and cluster-wide orders (pause, resume,
//   shutdown), for the System page and GET /api/v1/cluster.
//
// Every time in the records below comes from the database's clock, never a
// node's: nodes' clocks may disagree. A holder measures its own deadline on
// its monotonic clock (docs/cluster.md "Leases").
//
// Engines that one process owns (JSON DB, SQLite, memory) offer none:
// Database::coordination() returns null, and the dispatcher schedules in
// memory.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "databus/time.h"

namespace databus {

class Database;

// A lease on one client passenger as its holder got it.
struct Lease {
  std::string client_id;
  std::string passenger;
  std::string holder;      // Node id.
  std::int64_t token = 0;  // Grows at each claim of this client passenger.
  TimePoint expires{};     // Database clock.
  bool drive = true;       // False: claimed for an action that is no drive.
};

// One client passenger's row as the cluster pages show it.
struct LeaseInfo {
  std::string client_id;
  std::string passenger;
  std::string holder;  // Empty: free.
  std::int64_t token = 0;
  std::optional<TimePoint> expires;
  TimePoint next_due{};
  Clock::duration interval{};
  std::optional<TimePoint> last_start;
  std::optional<TimePoint> last_end;
};

// A node as it last reported itself.
struct NodeInfo {
  std::string id;
  std::string host;
  std::int64_t pid = 0;
  std::string version;
  TimePoint started{};
  TimePoint last_heartbeat{};  // Database clock; set by heartbeat().
  int drives_running = 0;
  bool paused = false;  // As the node last reported.
};

// What the cluster asks of a node, read at each heartbeat.
struct ClusterOrders {
  bool paused = false;    // Cluster-wide or for this node: start no drive.
  bool shutdown = false;  // This node (or every node) is to shut down.
};

// A configured client passenger and its interval, for configure().
struct ScheduledPassenger {
  std::string passenger;
  Clock::duration interval{};
};

class Coordination {
 public:
  virtual ~Coordination() = default;

  // --- Nodes and orders -----------------------------------------------------
  // Records `self` (insert or update, last_heartbeat = now) and returns the
  // orders for it.
  virtual ClusterOrders heartbeat(const NodeInfo& self) = 0;
  // Removes the node's record (a clean stop) and frees its leases.
  virtual void leave(const std::string& node_id) = 0;
  // Nodes whose heartbeat is younger than `stale`, sorted by id; older
  // records are deleted.
  virtual std::vector<NodeInfo> nodes(Clock::duration stale) = 0;
  // Pauses or resumes the whole cluster (node_id empty) or one node.
  virtual void set_paused(const std::string& node_id, bool paused) = 0;
  // Asks the whole cluster (node_id empty) or one node to shut down. A
  // cluster-wide order holds for the nodes running now, not for nodes
  // started later.
  virtual void order_shutdown(const std::string& node_id) = 0;

  // --- Schedule ---------------------------------------------------------------
  // Takes `configured` (client id -> its passengers) as the configuration:
  // new client passengers become due at once, known ones take the new
  // interval (next due one interval after their last start), ones no longer
  // configured are forgotten unless leased. Clients in `known_clients` but
  // not in `configured` (their configuration cannot be read now) keep their
  // rows; rows of clients in neither are forgotten. Writes only what changed.
  virtual void configure(const std::map<std::string, std::vector<ScheduledPassenger>>& configured,
                         const std::set<std::string>& known_clients) = 0;
  // Makes the client passenger due at once (after its running drive, if any).
  virtual void expedite(const std::string& client_id, const std::string& passenger) = 0;

  // --- Leases -----------------------------------------------------------------
  // Claims up to `max` client passengers that are due, or whose holder's
  // lease expired (its drive was cut short), and whose lease is free or
  // expired, oldest due first, for `period`. Rows another node is claiming
  // are skipped, not waited for.
  virtual std::vector<Lease> claim_due(const std::string& node_id, std::size_t max,
                                       Clock::duration period) = 0;
  // Claims one client passenger, due or not, when its lease is free or
  // expired; nullopt when another node holds it. `drive` true: for a drive
  // (drive now), which counts as its last start; false: for an action that
  // is no drive (a status edit, a purge), which leaves the schedule alone.
  // A client passenger the schedule does not know yet gets a row with
  // `interval`.
  virtual std::optional<Lease> claim(const std::string& node_id, const std::string& client_id,
                                     const std::string& passenger, Clock::duration interval,
                                     Clock::duration period, bool drive) = 0;
  // Extends `lease` to `period` from now. False: it expired or was taken
  // over; the holder must stop (its fenced writes fail already).
  virtual bool renew(Lease& lease, Clock::duration period) = 0;
  // Frees `lease`. After a drive, the client passenger is next due one
  // interval after the drive started (at once when expedited meanwhile).
  // Does nothing when the lease was lost.
  virtual void release(const Lease& lease) = 0;
  // Every client passenger's row, sorted by client and passenger.
  virtual std::vector<LeaseInfo> leases() = 0;

  // A view of `database` (the engine that made this coordination, or a
  // wrapper of it) whose queue writes (insert, seat, update and delete of
  // entries) commit only while `lease` is held: each checks the lease in
  // its own transaction and holds it until commit, so that a takeover waits
  // for a write that is committing. A write after the lease was lost throws
  // LeaseLostError and changes nothing. Other calls pass through.
  virtual std::unique_ptr<Database> fenced(Database& database, const Lease& lease) = 0;
};

}  // namespace databus
