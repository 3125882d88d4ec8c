// Dispatcher::Impl: the dispatcher's state machine and scheduler thread. The
// rules live in the pieces: Schedule (when a client passenger is due),
// WorkerPool (where drives run), run_drive (what a drive does), Customizing
// (the editable nodes), SafeObserver (observer calls that cannot throw).
//
// Locking: mu_ guards the state flags and the drive count. Schedule,
// ConfigErrors and the database have their own locks; of them only the
// non-blocking Schedule::release() is called while mu_ is held. Observer
// calls are made without holding mu_.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "databus/dispatcher.h"
#include "databus/factories.h"
#include "databus/node_metrics.h"
#include "databus/registry.h"
#include "dispatcher/alert_sender.h"
#include "dispatcher/cluster_node.h"
#include "dispatcher/config_errors.h"
#include "dispatcher/customizing.h"
#include "dispatcher/drive_runner.h"
#include "dispatcher/lanes.h"
#include "dispatcher/live_tail.h"
#include "dispatcher/safe_observer.h"
#include "dispatcher/schedule.h"
#include "dispatcher/spool_folder.h"
#include "dispatcher/stale_monitor.h"
#include "dispatcher/worker_pool.h"

namespace databus {
namespace dispatch {
// An inbox log (lanes.h) is written before the next drive of its client
// passenger, or by the scheduler once it is this old, or once it has this
// many lines.
inline constexpr auto kInboxLogAge = std::chrono::seconds(10);
inline constexpr std::size_t kInboxLogLines = 1000;
}  // namespace dispatch

class Dispatcher::Impl {
 public:
  explicit Impl(DispatcherTicket ticket);
  ~Impl();

  // `self`: the public dispatcher, handed to the web server factory.
  void start(Dispatcher& self);
  void wait();
  void pause();
  void resume();
  void shutdown();
  void expedite(const std::string& client_id, const std::string& passenger);
  void report_seated(const std::string& client_id, const QueueEntry& entry) {
    observer_.passenger_seated(client_id, entry);
  }
  Log drive_now(const std::string& client_id, const std::string& passenger);
  std::optional<QueueEntry> seat(const std::string& client_id,
                                 const ClientPassenger& passenger_config, Passenger passenger,
                                 const std::string& note);
  QueueEntry edit_entry(const std::string& client_id, const std::string& internal_id,
                        const std::function<void(QueueEntry&)>& edit,
                        std::chrono::milliseconds wait);
  std::size_t purge_complete(const std::string& client_id, const std::string& passenger,
                             std::chrono::milliseconds wait);
  std::vector<QueueEntry> edit_entries(const std::string& client_id, const std::string& passenger,
                                       EntryQuery selection,
                                       const std::function<bool(QueueEntry&)>& edit,
                                       std::chrono::milliseconds wait);
  DispatcherStatus status() const;
  const NodeMetrics& metrics() const { return metrics_; }
  std::vector<TailLine> tail_lines(const std::string& client_id, std::uint64_t after,
                                   std::size_t limit) const {
    return tail_.lines(client_id, after, limit);
  }
  ClusterStatus cluster_status();
  // 'p'ause, 'r'esume or 's'hut down node `node_id` (empty: every node).
  void cluster_order(const std::string& node_id, char order);
  void begin_export(const std::string& client_id);
  void end_export(const std::string& client_id, bool ok, const std::string& error);

  DispatcherTicket ticket_;
  std::shared_ptr<const Registry> registry_;
  Factories factories_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<dispatch::Customizing> customizing_;

 private:
  // A client passenger's configuration and its client's log life span.
  struct Found {
    ClientPassenger passenger;
    int log_life_span = 1;
    std::optional<HostDelegation> host_delegation;
  };
  Found find_passenger(const std::string& client_id, const std::string& passenger);

  void scheduler_loop();
  void cycle();
  void scheduled_drive(const std::string& client_id, int log_life_span,
                       const ClientPassenger& passenger,
                       const std::optional<HostDelegation>& host_delegation);
  // Runs a drive whose schedule slot the caller took and counted in
  // running_drives_, holding its lane's queue door; then frees the slot.
  // With `held` (a cluster's lease on the client passenger), the drive's
  // queue writes are fenced by it and it stops when the lease is lost.
  Log lane_drive(const std::string& client_id, int log_life_span, const ClientPassenger& passenger,
                 const std::optional<HostDelegation>& host_delegation,
                 dispatch::HeldLease* held = nullptr);
  // The cluster's part of a cycle (cluster_ set): heartbeat and orders, the
  // shared schedule, and the drives this node claims.
  void cluster_cycle(const std::vector<ClientConfig>& configs,
                     const std::set<std::string>& client_ids);
  // Runs the drive of a client passenger this node claimed in the cluster.
  void leased_drive(std::shared_ptr<dispatch::HeldLease> held);
  // In a cluster: holds the lease of a client passenger for an action that
  // is no drive (edit, purge), waiting at most `wait`. Throws StateError
  // when another node keeps it. Null without a cluster.
  std::unique_ptr<dispatch::HeldLease> hold_for_action(const std::string& client_id,
                                                       const std::string& passenger,
                                                       std::chrono::milliseconds wait);
  void drive_done();
  // At most every StaleMonitor::kPeriod, unless paused: reports the pullers
  // of `configs` that turned stale without a drive noticing, and sends
  // their alerts on the worker pool (dispatcher_alerts.cc). In a cluster,
  // only the live node with the smallest id checks.
  void check_stale(const std::vector<ClientConfig>& configs);
  // Writes the lanes' inbox logs opened before `before`.
  void write_inbox_logs(TimePoint before);
  // Marks the dispatcher stopped when it was never started and nothing runs
  // any more (a started one is stopped by its scheduler thread).
  void finish_if_idle_locked();
  DispatcherState state_locked() const;

  // This process as a node of a cluster, when the engine offers
  // coordination (PostgreSQL); null otherwise. Declared after database_
  // (public, above), so destroyed before it.
  std::unique_ptr<dispatch::ClusterNode> cluster_;
  // Counts every observer event (Dispatcher::metrics()); before observer_,
  // which tells it first.
  NodeMetrics metrics_;
  dispatch::LiveTail tail_;  // The lines of running drives (DriveEnv::tail).
  dispatch::SafeObserver observer_;
  dispatch::Schedule schedule_;
  dispatch::Lanes lanes_;
  dispatch::ConfigErrors config_errors_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<dispatch::LogSpool> log_spool_;        // Logs the store could not take.
  std::unique_ptr<dispatch::SpoolFolder> spool_folder_;  // Large attachments' files.
  std::unique_ptr<dispatch::AlertSender> alerts_;
  dispatch::StaleMonitor stale_monitor_;  // Scheduler thread only.
  dispatch::DriveEnv drive_env_;
  const int workers_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // Any change of the fields below.
  bool started_ = false;
  bool paused_ = false;
  bool shutting_down_ = false;
  bool stopped_ = false;
  bool wake_ = false;            // The scheduler should cycle at once.
  bool cluster_paused_ = false;  // The cluster paused this node (its orders).
  int cluster_claimed_ = 0;      // Drives claimed in the cluster, not ended yet.
  bool export_running_ = false;
  bool paused_before_export_ = false;  // What end_export() restores.
  int running_drives_ = 0;
  TimePoint started_at_{};

  std::unique_ptr<dispatch::WorkerPool> pool_;
  std::thread scheduler_;
  // The web interface (ticket_.web_server_factory): started by start(),
  // stopped by the scheduler thread before it marks the dispatcher stopped.
  std::unique_ptr<DispatcherService> web_server_;
  std::string web_address_;  // Guarded by mu_.
};

}  // namespace databus
