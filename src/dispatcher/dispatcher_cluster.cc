// The dispatcher as a node of a cluster (cluster_node.h; docs/cluster.md):
// its cycle reports the node and takes the cluster's orders, writes the
// schedule the nodes share, and claims the due client passengers it has
// workers for; each claimed drive runs with its lease (fenced writes, and a
// stop when the lease is lost).
#include <algorithm>
#include <map>

#include "databus/error.h"
#include "dispatcher/dispatcher_impl.h"
#include "logging/process_log.h"

namespace databus {

using dispatch::HeldLease;
using dispatch::Schedule;

void Dispatcher::Impl::cluster_cycle(const std::vector<ClientConfig>& configs,
                                     const std::set<std::string>& client_ids) {
  bool paused_here = false;
  bool was_paused = false;
  int running = 0;
  {
    std::lock_guard lock(mu_);
    paused_here = paused_;
    was_paused = cluster_paused_;
    running = running_drives_;
  }
  const ClusterOrders orders = cluster_->heartbeat(running, paused_here || was_paused);
  {
    std::lock_guard lock(mu_);
    cluster_paused_ = orders.paused;
  }
  if (orders.paused != was_paused && !paused_here) {
    if (orders.paused) {
      observer_.paused();
    } else {
      observer_.resumed();
    }
  }
  if (orders.shutdown) {
    process_log::info("dispatcher")
        << "the cluster ordered node " << cluster_->id() << " to shut down";
    shutdown();
    return;
  }

  std::map<std::string, std::vector<ScheduledPassenger>> configured;
  for (const ClientConfig& config : configs) {
    std::vector<ScheduledPassenger>& passengers = configured[config.id];
    for (const ClientPassenger& p : config.passengers) {
      passengers.push_back({p.name, dispatch::drive_interval(p)});
    }
  }
  cluster_->coordination().configure(configured, client_ids);

  std::size_t free = 0;
  {
    std::lock_guard lock(mu_);
    if (paused_ || cluster_paused_ || shutting_down_) return;
    free = static_cast<std::size_t>(std::max(0, workers_ - cluster_claimed_));
  }
  if (free == 0) return;
  for (std::unique_ptr<HeldLease>& claimed : cluster_->claim_due(free)) {
    std::shared_ptr<HeldLease> held(std::move(claimed));
    {
      std::lock_guard lock(mu_);
      ++cluster_claimed_;
    }
    try {
      pool_->submit([this, held]() mutable { leased_drive(std::move(held)); });
    } catch (...) {
      held->abandon();
      std::lock_guard lock(mu_);
      --cluster_claimed_;
      throw;
    }
  }
}

void Dispatcher::Impl::leased_drive(std::shared_ptr<HeldLease> held) {
  const Schedule::Key key{held->lease().client_id, held->lease().passenger};
  auto end = [&] {
    held.reset();  // Releases the lease.
    std::lock_guard lock(mu_);
    --cluster_claimed_;
    cv_.notify_all();
  };
  {
    std::lock_guard lock(mu_);
    const bool refuse = paused_ || cluster_paused_ || shutting_down_ || export_running_;
    if (refuse) held->abandon();  // Claimed before a pause: stays due.
  }
  if (held->lease().drive) {
    // The configuration as stored now: saved on any node, used here.
    std::optional<Found> found;
    try {
      found = find_passenger(key.first, key.second);
    } catch (const std::exception& e) {
      // Released as a drive: tried again one interval later, not at every
      // cycle (a broken configuration is reported by the cycle already).
      process_log::warning("dispatcher", {.client = key.first, .passenger = key.second})
          << "client '" << key.first << "', passenger '" << key.second
          << "': not driven: " << e.what();
    }
    if (found) {
      schedule_.acquire(key);  // A local drive of the key holds the lease: none runs.
      {
        std::lock_guard lock(mu_);
        ++running_drives_;
      }
      lane_drive(key.first, found->log_life_span, found->passenger, found->host_delegation,
                 held.get());
    }
  }
  end();
}

std::unique_ptr<HeldLease> Dispatcher::Impl::hold_for_action(const std::string& client_id,
                                                             const std::string& passenger,
                                                             std::chrono::milliseconds wait) {
  if (!cluster_) return nullptr;
  std::unique_ptr<HeldLease> held =
      cluster_->claim(client_id, passenger, Clock::duration::zero(), false, wait);
  if (!held) {
    throw StateError("client '" + client_id + "', passenger '" + passenger +
                     "' is being driven by another node; try again when its drive has ended");
  }
  return held;
}

ClusterStatus Dispatcher::Impl::cluster_status() {
  ClusterStatus status;
  if (!cluster_) return status;
  status.enabled = true;
  status.node_id = cluster_->id();
  status.lease_period = cluster_->lease_period();
  // A node is listed while its heartbeat is younger than two lease periods
  // (and at least three cycles).
  const Clock::duration stale =
      std::max<Clock::duration>(2 * cluster_->lease_period(), 3 * ticket_.cycle);
  status.nodes = cluster_->coordination().nodes(stale);
  status.leases = cluster_->coordination().leases();
  return status;
}

void Dispatcher::Impl::cluster_order(const std::string& node_id, char order) {
  if (!cluster_) {
    if (!node_id.empty()) throw NotFoundError("no cluster node '" + node_id + "': no cluster");
    if (order == 'p') pause();
    if (order == 'r') resume();
    if (order == 's') shutdown();
    return;
  }
  Coordination& coordination = cluster_->coordination();
  if (order == 'p' || order == 'r') coordination.set_paused(node_id, order == 'p');
  if (order == 's') coordination.order_shutdown(node_id);
  if (!node_id.empty() && node_id != cluster_->id()) return;
  // This node follows at once; the others at their next heartbeat.
  if (order == 's') {
    shutdown();
    return;
  }
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    if (order == 'r') {
      // Resuming the cluster resumes a node paused on its own too (after
      // its export, when one runs).
      if (export_running_) {
        paused_before_export_ = false;
      } else {
        paused_ = false;
        wake_ = true;
      }
    }
    changed = cluster_paused_ != (order == 'p');
    cluster_paused_ = order == 'p';
  }
  cv_.notify_all();
  if (changed) {
    if (order == 'p') {
      observer_.paused();
    } else {
      observer_.resumed();
    }
  }
}

}  // namespace databus
