// ClusterNode: this process as one node of a cluster on an engine that
// offers coordination (include/databus/coordination.h; docs/cluster.md). It
// has the node's id and heartbeat, and keeps the leases the node holds: a
// keeper thread renews each one every third of the lease period, on the
// engine's renewal connection, and marks it lost when a renewal fails or the
// holder's own deadline passes.
//
// The deadline is measured on this process's monotonic clock, never the
// database's: from the moment the claim or the last successful renewal was
// sent, the lease period minus a margin (a fifth of the period). A node that
// was stopped (SIGSTOP, a long pause of the machine) finds its deadline
// passed when it wakes and starts no new step, even before its keeper runs;
// its fenced writes fail in the engine anyway.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "databus/coordination.h"
#include "databus/database.h"

namespace databus::dispatch {

class ClusterNode;

// A lease this node holds. Destroying it releases the lease (a lost one
// too: the release is token-checked and then changes nothing).
class HeldLease {
 public:
  ~HeldLease();
  HeldLease(const HeldLease&) = delete;
  HeldLease& operator=(const HeldLease&) = delete;

  const Lease& lease() const { return lease_; }
  // The view of `base` for this lease's writes: queue writes are fenced
  // (Coordination::fenced()); one that fails with LeaseLostError marks the
  // lease lost. Made on first call; `base` must be the same each time.
  Database& database(Database& base);
  // Renewal failed, a fenced write found the lease gone, or the deadline
  // passed: the holder must start no new step.
  bool lost() const;
  // lost(), for DriveRequest::stop_requested. Valid while this object lives.
  std::function<bool()> stop_requested() const {
    return [this] { return lost(); };
  }
  // The lease was claimed for a drive that will not run: releasing it leaves
  // the schedule alone, so the client passenger stays due.
  void abandon() { lease_.drive = false; }
  // Marks the lease lost (a fenced write failed).
  void mark_lost() { lost_ = true; }

 private:
  friend class ClusterNode;
  using Steady = std::chrono::steady_clock;
  HeldLease(ClusterNode& node, Lease lease, Steady::time_point sent);

  ClusterNode& node_;
  Lease lease_;  // expires is updated by the keeper under node_.mu_.
  std::atomic<bool> lost_{false};
  std::atomic<Steady::rep> deadline_;  // Steady ticks.
  Steady::time_point renew_at_;        // Guarded by node_.mu_.
  std::unique_ptr<Database> view_;
};

class ClusterNode {
 public:
  // `coordination` outlives this object. `lease_period` > 0.
  ClusterNode(Coordination& coordination, Clock::duration lease_period, TimePoint started);
  // Stops the keeper and leaves the cluster (frees what this node holds).
  // REQUIRES: no HeldLease of this node is alive.
  ~ClusterNode();

  const std::string& id() const { return id_; }
  Clock::duration lease_period() const { return period_; }
  Coordination& coordination() { return coordination_; }

  // Up to `max` due client passengers (Coordination::claim_due).
  std::vector<std::unique_ptr<HeldLease>> claim_due(std::size_t max);
  // One client passenger (Coordination::claim), trying again every 200 ms
  // while another node holds it, for at most `wait` (forever with
  // milliseconds::max()) and until `stop` returns true. Null when not had.
  std::unique_ptr<HeldLease> claim(const std::string& client_id, const std::string& passenger,
                                   Clock::duration interval, bool drive,
                                   std::chrono::milliseconds wait,
                                   const std::function<bool()>& stop = {});

  // Reports this node (drives running, paused) and returns its orders.
  ClusterOrders heartbeat(int drives_running, bool paused);

 private:
  friend class HeldLease;
  std::unique_ptr<HeldLease> hold(Lease lease, std::chrono::steady_clock::time_point sent);
  void keep();  // The keeper thread.

  Coordination& coordination_;
  const Clock::duration period_;
  const std::string id_;
  const NodeInfo info_;

  std::mutex mu_;  // Guards held_ and every HeldLease's lease_.expires, renew_at_.
  std::condition_variable wake_;
  bool stopping_ = false;
  std::set<HeldLease*> held_;
  std::thread keeper_;
};

}  // namespace databus::dispatch
