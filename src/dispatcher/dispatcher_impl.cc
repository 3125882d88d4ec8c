#include "dispatcher/dispatcher_impl.h"

#include <algorithm>
#include <map>
#include <set>

#include "databus/builtins.h"
#include "databus/error.h"
#include "databus/plugin.h"
#include "databus/queue.h"
#include "dispatcher/drive_probe.h"
#include "logging/process_log.h"

namespace databus {

// The library's web interface, defined in src/web (web_server.h). Declared
// weak here: the dispatcher module does not link the web module (which
// depends on it), so in a program without src/web the address is null and a
// ticket's empty web_server_factory stays empty. libdatabus holds both, and
// its CMake target tells the linker to keep the definition
// (top-level CMakeLists.txt), also when it is a static library.
[[gnu::weak]] DispatcherServiceFactory default_web_server_factory();

using dispatch::Schedule;

namespace {

// The ticket's registry, or the built-ins plus the ticket's plugins.
std::shared_ptr<const Registry> ticket_registry(const DispatcherTicket& ticket) {
  if (ticket.registry) {
    if (!ticket.plugin_dirs.empty()) {
      throw ConfigError("dispatcher ticket", "plugin_dirs",
                        "plugin_dirs applies to the default registry; with a registry of your "
                        "own, call load_plugins() on it instead");
    }
    return ticket.registry;
  }
  std::shared_ptr<Registry> registry = builtin_registry();
  load_plugins(*registry, ticket.plugin_dirs);
  return registry;
}

}  // namespace

Dispatcher::Impl::Impl(DispatcherTicket ticket)
    : ticket_(std::move(ticket)),
      registry_(ticket_registry(ticket_)),
      observer_(ticket_.dispatcher_observer, &metrics_),
      workers_(dispatch::WorkerPool::resolve_size(ticket_.workers)) {
  factories_ =
      Factories{ticket_.database_factory, ticket_.driver_factory, ticket_.passenger_factory,
                ticket_.queue_factory,    ticket_.puller_factory, ticket_.processor_factory,
                ticket_.pusher_factory};
  factories_.fill_missing(Factories::primal(registry_));
  ticket_.registry = registry_;
  ticket_.database_factory = factories_.database;
  ticket_.driver_factory = factories_.driver;
  ticket_.passenger_factory = factories_.passenger;
  ticket_.queue_factory = factories_.queue;
  ticket_.puller_factory = factories_.puller;
  ticket_.processor_factory = factories_.processor;
  ticket_.pusher_factory = factories_.pusher;
  if (!ticket_.web_server_factory && &default_web_server_factory != nullptr) {
    ticket_.web_server_factory = default_web_server_factory();
  }

  database_ = factories_.database(ticket_.database_module,
                                  DatabaseEnv{ticket_.data_dir, ticket_.database_arguments});
  if (!database_) {
    throw StorageError("dispatcher: the database factory made nothing for engine '" +
                       ticket_.database_module + "'");
  }
  if (Coordination* coordination = database_->coordination()) {
    cluster_ =
        std::make_unique<dispatch::ClusterNode>(*coordination, ticket_.lease_period, Clock::now());
  }
  if (ticket_.create_default_clients && database_->client_ids().empty()) {
    database_->write_client_config_text("root", root_client_config().to_json().dump(2));
    database_->write_client_config_text("demo", demo_client_config().to_json().dump(2));
  }
  customizing_ = std::make_unique<dispatch::Customizing>(*database_, *registry_,
                                                         ticket_.external_config_files);
  customizing_->backup_all();
  alerts_ = std::make_unique<dispatch::AlertSender>(
      factories_, ticket_.data_dir, cluster_ ? cluster_->id() : dispatch::this_host());
  drive_env_ = dispatch::DriveEnv{database_.get(), &factories_,           &observer_,
                                  &stop_,          ticket_.driver_module, ticket_.data_dir};
  drive_env_.alerts = alerts_.get();
  drive_env_.spool.threshold = ticket_.large_attachment_bytes;
  try {
    spool_folder_ = std::make_unique<dispatch::SpoolFolder>(ticket_.data_dir);
    drive_env_.spool.dir = spool_folder_->path();
  } catch (const StorageError& e) {
    // The system's temporary folder serves instead (SpoolSettings::folder()).
    process_log::warning("dispatcher") << "no spool folder in the data directory: " << e.what();
  }
  drive_env_.metrics = &metrics_;
  drive_env_.tail = &tail_;
  drive_env_.flow_history_days = ticket_.flow_history_days;
  log_spool_ = std::make_unique<dispatch::LogSpool>(ticket_.data_dir / dispatch::kLogSpoolFolder);
  drive_env_.log_spool = log_spool_.get();
}

Dispatcher::Impl::~Impl() {
  shutdown();
  wait();
  if (scheduler_.joinable()) scheduler_.join();
  write_inbox_logs(TimePoint::max());  // Seats made without start().
  web_server_.reset();                 // Stopped already; it refers to the database.
}

void Dispatcher::Impl::start(Dispatcher& self) {
  {
    std::lock_guard lock(mu_);
    if (started_) throw StateError("dispatcher: start() was already called");
    if (shutting_down_) throw StateError("dispatcher: cannot start after shutdown()");
  }
  // Before any drive: a web interface that cannot start (port in use) is a
  // startup error, and then nothing runs.
  if (ticket_.run_web_server && ticket_.web_server_factory && !web_server_) {
    std::unique_ptr<DispatcherService> web = ticket_.web_server_factory(self, ticket_);
    if (web) {
      web->start();
      std::lock_guard lock(mu_);
      web_address_ = web->address();
      web_server_ = std::move(web);
    }
  }
  std::unique_lock lock(mu_);
  if (started_ || shutting_down_) {  // Raced with another start() or shutdown().
    lock.unlock();
    if (web_server_) web_server_->stop();
    throw StateError("dispatcher: start() raced with start() or shutdown()");
  }
  started_ = true;
  started_at_ = Clock::now();
  pool_ = std::make_unique<dispatch::WorkerPool>(workers_);
  scheduler_ = std::thread([this] { scheduler_loop(); });
}

void Dispatcher::Impl::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return stopped_; });
}

void Dispatcher::Impl::pause() {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) throw StateError("dispatcher: cannot pause while shutting down");
    if (export_running_) {  // Stay paused when the export ends.
      paused_before_export_ = true;
      return;
    }
    if (paused_) return;
    paused_ = true;
  }
  cv_.notify_all();
  observer_.paused();
}

void Dispatcher::Impl::resume() {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return;  // Shutdown wins; there is nothing to resume.
    if (export_running_) {       // Resume when the export ends.
      paused_before_export_ = false;
      return;
    }
    if (!paused_) return;
    paused_ = false;
    wake_ = true;
  }
  cv_.notify_all();
  observer_.resumed();
}

void Dispatcher::Impl::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    // A started dispatcher's scheduler thread lets running drives go on for
    // the ticket's shutdown_timeout; without one (drive_now() only) they are
    // told to stop at once.
    if (!started_) stop_ = true;
    finish_if_idle_locked();
  }
  cv_.notify_all();
  observer_.shutting_down();
}

void Dispatcher::Impl::finish_if_idle_locked() {
  if (shutting_down_ && !started_ && running_drives_ == 0 && !export_running_) {
    stopped_ = true;
    cv_.notify_all();
  }
}

Dispatcher::Impl::Found Dispatcher::Impl::find_passenger(const std::string& client_id,
                                                         const std::string& passenger) {
  ClientConfig config = database_->load_client(client_id);
  const ClientPassenger* p = config.find_passenger(passenger);
  if (p == nullptr) {
    throw NotFoundError("client '" + client_id + "' has no passenger '" + passenger + "'");
  }
  return Found{*p, config.log_life_span, config.host_access};
}

void Dispatcher::Impl::expedite(const std::string& client_id, const std::string& passenger) {
  find_passenger(client_id, passenger);
  schedule_.expedite(Schedule::Key{client_id, passenger}, Clock::now());
  if (cluster_) cluster_->coordination().expedite(client_id, passenger);
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

Log Dispatcher::Impl::drive_now(const std::string& client_id, const std::string& passenger) {
  const Found found = find_passenger(client_id, passenger);
  const Schedule::Key key{client_id, passenger};
  auto refuse_locked = [&] {
    if (shutting_down_) throw StateError("dispatcher: cannot drive while shutting down");
    if (export_running_) throw StateError("dispatcher: cannot drive while an export runs");
  };
  {
    std::lock_guard lock(mu_);
    refuse_locked();
  }
  // In a cluster, the lease first: waits while any node drives the key.
  std::unique_ptr<dispatch::HeldLease> held;
  if (cluster_) {
    held = cluster_->claim(client_id, passenger, dispatch::drive_interval(found.passenger), true,
                           std::chrono::milliseconds::max(), [this] {
                             std::lock_guard lock(mu_);
                             return shutting_down_ || export_running_;
                           });
    if (!held) throw StateError("dispatcher: cannot drive while shutting down or exporting");
  }
  schedule_.acquire(key);  // Waits for a scheduled drive of the same key.
  {
    std::lock_guard lock(mu_);
    try {
      refuse_locked();  // The state may have changed while waiting.
    } catch (...) {
      schedule_.release(key);
      throw;
    }
    ++running_drives_;
  }
  return lane_drive(client_id, found.log_life_span, found.passenger, found.host_delegation,
                    held.get());
}

Log Dispatcher::Impl::lane_drive(const std::string& client_id, int log_life_span,
                                 const ClientPassenger& passenger,
                                 const std::optional<HostDelegation>& host_delegation,
                                 dispatch::HeldLease* held) {
  const Schedule::Key key{client_id, passenger.name};
  dispatch::Lane& lane = lanes_.of(key);
  dispatch::DriveEnv env = drive_env_;
  if (held != nullptr) {
    env.database = &held->database(*database_);
    env.stop_requested = held->stop_requested();
  }
  Log log;
  {
    // Edits and purges hold the door only briefly; a drive waits for them.
    std::lock_guard door(lane.queue_door);
    const dispatch::DriveProbe probe(client_id, passenger.name,
                                     held != nullptr ? held->lease().token : 0,
                                     cluster_ ? cluster_->id() : std::string());
    schedule_.started(key, Clock::now());
    log = dispatch::run_drive(env, lane, client_id, log_life_span, passenger, host_delegation);
  }
  schedule_.finished(key, Clock::now(), log.worst_type());
  drive_done();
  return log;
}

void Dispatcher::Impl::drive_done() {
  std::lock_guard lock(mu_);
  --running_drives_;
  finish_if_idle_locked();
  cv_.notify_all();
}

void Dispatcher::Impl::scheduler_loop() {
  const auto period = std::max(ticket_.cycle, std::chrono::milliseconds(1));
  std::unique_lock lock(mu_);
  while (!shutting_down_) {
    lock.unlock();
    try {
      cycle();
    } catch (const std::exception& e) {
      process_log::warning("dispatcher") << "cycle failed: " << e.what();
    }
    lock.lock();
    cv_.wait_for(lock, period, [this] { return wake_ || shutting_down_; });
    wake_ = false;
  }
  // Running drives may finish for shutdown_timeout; then they are told to
  // stop and end at their next step boundary.
  if (!cv_.wait_for(lock, ticket_.shutdown_timeout,
                    [this] { return running_drives_ == 0 && !export_running_; })) {
    process_log::warning("dispatcher")
        << running_drives_ << " drive(s) still running after " << ticket_.shutdown_timeout.count()
        << " ms of shutdown; ending them at their next step boundary";
    stop_ = true;
  }
  lock.unlock();
  pool_->join();  // Running drives finish; queued ones see shutting_down_.
  write_inbox_logs(TimePoint::max());
  lock.lock();
  cv_.wait(lock, [this] { return running_drives_ == 0 && !export_running_; });
  if (web_server_) {
    // Outside the lock: the web server waits for its requests, which call
    // into the dispatcher.
    lock.unlock();
    web_server_->stop();
    lock.lock();
  }
  stopped_ = true;
  cv_.notify_all();
}

void Dispatcher::Impl::cycle() {
  const TimePoint now = Clock::now();
  const std::vector<std::string> ids = database_->client_ids();
  const std::set<std::string> id_set(ids.begin(), ids.end());
  std::vector<ClientConfig> configs;
  for (const std::string& id : ids) {
    try {
      ClientConfig config = database_->load_client(id);
      schedule_.configure(id, config.passengers, now);
      config_errors_.loaded(id);
      configs.push_back(std::move(config));
    } catch (const std::exception& e) {
      config_errors_.failed(id, e.what());
    }
  }
  schedule_.retain_clients(id_set);
  config_errors_.retain(id_set);
  write_inbox_logs(now - dispatch::kInboxLogAge);
  check_stale(configs);
  if (cluster_) {
    cluster_cycle(configs, id_set);
    return;
  }

  for (const ClientConfig& config : configs) {
    for (const ClientPassenger& p : config.passengers) {
      {
        std::lock_guard lock(mu_);
        if (paused_ || shutting_down_) return;
      }
      const Schedule::Key key{config.id, p.name};
      if (!schedule_.claim(key, now)) continue;
      try {
        pool_->submit([this, id = config.id, life = config.log_life_span, p,
                       host = config.host_access] { scheduled_drive(id, life, p, host); });
      } catch (...) {
        schedule_.release(key);
        throw;
      }
    }
  }
}

void Dispatcher::Impl::scheduled_drive(const std::string& client_id, int log_life_span,
                                       const ClientPassenger& passenger,
                                       const std::optional<HostDelegation>& host_delegation) {
  const Schedule::Key key{client_id, passenger.name};
  {
    std::lock_guard lock(mu_);
    if (paused_ || shutting_down_) {  // Queued before a pause: not started now.
      schedule_.release(key);
      return;
    }
    ++running_drives_;
  }
  lane_drive(client_id, log_life_span, passenger, host_delegation);
}

DispatcherState Dispatcher::Impl::state_locked() const {
  if (stopped_) return DispatcherState::stopped;
  if (shutting_down_) return DispatcherState::shutting_down;
  if (paused_ || cluster_paused_) return DispatcherState::paused;
  if (started_) return DispatcherState::running;
  return DispatcherState::created;
}

DispatcherStatus Dispatcher::Impl::status() const {
  DispatcherStatus s;
  {
    std::lock_guard lock(mu_);
    s.state = state_locked();
    s.web_address = web_address_;
    s.started = started_at_;
    s.workers = workers_;
    s.running_drives = running_drives_;
    s.export_running = export_running_;
  }
  s.passengers = schedule_.snapshot();
  if (cluster_) {
    // The schedule the nodes share: drives of every node, not this one's.
    try {
      std::map<std::pair<std::string, std::string>, LeaseInfo> rows;
      for (LeaseInfo& row : cluster_->coordination().leases()) {
        std::pair<std::string, std::string> key{row.client_id, row.passenger};
        rows.emplace(std::move(key), std::move(row));
      }
      for (PassengerSchedule& p : s.passengers) {
        const auto it = rows.find({p.client_id, p.passenger});
        if (it == rows.end()) continue;
        const LeaseInfo& row = it->second;
        if (row.last_start) p.last_drive_start = row.last_start;
        if (row.last_end) p.last_drive_end = row.last_end;
        p.next_due = row.next_due;
        p.running = !row.holder.empty();
      }
    } catch (const std::exception& e) {
      // The database cannot be reached: this node's own view is shown.
      process_log::warning("dispatcher") << "cannot read the cluster's schedule: " << e.what();
    }
  }
  s.config_errors = config_errors_.list();
  return s;
}

void Dispatcher::Impl::begin_export(const std::string& client_id) {
  {
    std::unique_lock lock(mu_);
    if (shutting_down_) throw StateError("dispatcher: cannot export while shutting down");
    if (export_running_) throw StateError("dispatcher: an export already runs");
    export_running_ = true;
    paused_before_export_ = paused_;
    paused_ = true;
    cv_.wait(lock, [this] { return running_drives_ == 0; });
  }
  try {
    lanes_.close_client(client_id);  // Waits for seats, edits and purges in flight.
  } catch (...) {
    std::lock_guard lock(mu_);
    export_running_ = false;
    paused_ = paused_before_export_;
    finish_if_idle_locked();
    throw;
  }
  observer_.export_begin(client_id);
}

void Dispatcher::Impl::end_export(const std::string& client_id, bool ok, const std::string& error) {
  {
    std::lock_guard lock(mu_);
    if (!export_running_) throw StateError("dispatcher: end_export() without begin_export()");
    lanes_.open_client(client_id);
    export_running_ = false;
    if (!paused_before_export_) {
      paused_ = false;
      wake_ = true;
    }
    finish_if_idle_locked();
  }
  cv_.notify_all();
  observer_.export_end(client_id, ok, error);
}

}  // namespace databus
