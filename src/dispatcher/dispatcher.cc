// The public Dispatcher forwards to Dispatcher::Impl (dispatcher_impl.h).
#include "databus/dispatcher.h"

#include "dispatcher/dispatcher_impl.h"

namespace databus {

std::string_view to_string(DispatcherState state) {
  switch (state) {
    case DispatcherState::created:
      return "created";
    case DispatcherState::running:
      return "running";
    case DispatcherState::paused:
      return "paused";
    case DispatcherState::shutting_down:
      return "shutting_down";
    case DispatcherState::stopped:
      return "stopped";
  }
  return "unknown";
}

// --- Dispatcher: forwards to Impl ---------------------------------------------

Dispatcher::Dispatcher(DispatcherTicket ticket)
    : impl_(std::make_unique<Impl>(std::move(ticket))) {}
Dispatcher::~Dispatcher() = default;

void Dispatcher::start() { impl_->start(*this); }
void Dispatcher::wait() { impl_->wait(); }
void Dispatcher::run() {
  start();
  wait();
}
void Dispatcher::pause() { impl_->pause(); }
void Dispatcher::resume() { impl_->resume(); }
void Dispatcher::shutdown() { impl_->shutdown(); }
ClusterStatus Dispatcher::cluster_status() { return impl_->cluster_status(); }
void Dispatcher::cluster_pause(const std::string& node_id) { impl_->cluster_order(node_id, 'p'); }
void Dispatcher::cluster_resume(const std::string& node_id) { impl_->cluster_order(node_id, 'r'); }
void Dispatcher::cluster_shutdown(const std::string& node_id) {
  impl_->cluster_order(node_id, 's');
}
void Dispatcher::expedite(const std::string& client_id, const std::string& passenger) {
  impl_->expedite(client_id, passenger);
}
void Dispatcher::report_seated(const std::string& client_id, const QueueEntry& entry) {
  impl_->report_seated(client_id, entry);
}
std::optional<QueueEntry> Dispatcher::seat(const std::string& client_id,
                                           const ClientPassenger& passenger_config,
                                           Passenger passenger, const std::string& note) {
  return impl_->seat(client_id, passenger_config, std::move(passenger), note);
}
QueueEntry Dispatcher::edit_entry(const std::string& client_id, const std::string& internal_id,
                                  const std::function<void(QueueEntry&)>& edit,
                                  std::chrono::milliseconds wait) {
  return impl_->edit_entry(client_id, internal_id, edit, wait);
}
std::vector<QueueEntry> Dispatcher::edit_entries(const std::string& client_id,
                                                 const std::string& passenger, EntryQuery selection,
                                                 const std::function<bool(QueueEntry&)>& edit,
                                                 std::chrono::milliseconds wait) {
  return impl_->edit_entries(client_id, passenger, std::move(selection), edit, wait);
}
std::size_t Dispatcher::purge_complete(const std::string& client_id, const std::string& passenger,
                                       std::chrono::milliseconds wait) {
  return impl_->purge_complete(client_id, passenger, wait);
}
Log Dispatcher::drive_now(const std::string& client_id, const std::string& passenger) {
  return impl_->drive_now(client_id, passenger);
}
DispatcherStatus Dispatcher::status() const { return impl_->status(); }
const DispatcherTicket& Dispatcher::ticket() const { return impl_->ticket_; }
const Factories& Dispatcher::factories() const { return impl_->factories_; }
const NodeMetrics& Dispatcher::metrics() const { return impl_->metrics(); }
std::vector<TailLine> Dispatcher::tail_lines(const std::string& client_id, std::uint64_t after,
                                             std::size_t limit) const {
  return impl_->tail_lines(client_id, after, limit);
}
Database& Dispatcher::database() { return *impl_->database_; }

std::vector<CustomizingNode> Dispatcher::customizing_nodes(const std::string& client_id) const {
  return impl_->customizing_->nodes(client_id);
}
std::string Dispatcher::read_customizing(const std::string& client_id, const std::string& node) {
  return impl_->customizing_->read(client_id, node);
}
VersionedText Dispatcher::read_customizing_versioned(const std::string& client_id,
                                                     const std::string& node) {
  return impl_->customizing_->read_versioned(client_id, node);
}
ConfigVersion Dispatcher::save_customizing(const std::string& client_id, const std::string& node,
                                           const std::string& text, const CustomizingSave& save) {
  return impl_->customizing_->save(client_id, node, text, save);
}
void Dispatcher::begin_export(const std::string& client_id) { impl_->begin_export(client_id); }
void Dispatcher::end_export(const std::string& client_id, bool ok, const std::string& error) {
  impl_->end_export(client_id, ok, error);
}

}  // namespace databus
