#include "driver/recording_components.h"

#include <stdexcept>

#include "databus/error.h"
#include "driver/primal_driver.h"
#include "queue/primal_queue.h"

namespace databus::testing_support {
namespace {

// Throws when the script says `module` fails this call.
void maybe_fail(Script& script, const std::string& module, bool notify = false) {
  std::map<std::string, int>& counts = notify ? script.notify_failures : script.failures;
  auto it = counts.find(module);
  if (it == counts.end() || it->second <= 0) return;
  --it->second;
  throw std::runtime_error(module + " boom " + std::to_string(++script.failed_calls));
}

class RecordingPuller : public Puller {
 public:
  RecordingPuller(std::shared_ptr<Script> script, std::string module)
      : script_(std::move(script)), module_(std::move(module)) {}

  // Streams: hands each passenger over as it is made.
  void pull_into(DriveContext& ctx, PassengerSink& sink) override {
    script_->events.push_back("pull " + module_);
    maybe_fail(*script_, module_);
    const std::vector<std::string> ids = script_->pull_ids[module_];
    for (const std::string& id : ids) {
      if (sink.done()) return;
      Passenger p = ctx.new_passenger(id, "TEST", module_);
      // A strictly later time for every passenger keeps the queue order fixed.
      p.pull_datetime =
          TimePoint{} + std::chrono::hours(24 * 365 * 50) + std::chrono::seconds(++script_->pulled);
      for (const Attachment& a : script_->raw_attachments[module_]) p.attachments.push_back(a);
      if (script_->on_put) script_->on_put(id);
      sink.put(std::move(p));
    }
  }

  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override {
    std::string ids;
    for (const Passenger& p : seated) ids += (ids.empty() ? "" : ",") + p.external_id;
    script_->events.push_back("notify " + module_ + " " + ids);
    maybe_fail(*script_, module_, true);
  }

 private:
  std::shared_ptr<Script> script_;
  std::string module_;
};

// A processor or pusher: records, maybe fails, then runs its action.
class RecordingStep : public Processor, public Pusher {
 public:
  RecordingStep(std::shared_ptr<Script> script, std::string verb, std::string module)
      : script_(std::move(script)), verb_(std::move(verb)), module_(std::move(module)) {}

  void process(DriveContext& ctx, QueueEntry& entry) override { run(entry); }
  void push(DriveContext& ctx, QueueEntry& entry) override { run(entry); }
  void flush(DriveContext& ctx) override {
    auto left = script_->flush_failures.find(module_);
    if (left == script_->flush_failures.end() || left->second <= 0) return;
    --left->second;
    throw StorageError("cannot sync what " + module_ + " wrote");
  }

 private:
  void run(QueueEntry& entry) {
    script_->events.push_back(verb_ + " " + module_ + " " + entry.passenger.external_id);
    maybe_fail(*script_, module_);
    auto action = script_->actions.find(module_);
    if (action != script_->actions.end()) action->second(entry);
  }

  std::shared_ptr<Script> script_;
  std::string verb_;
  std::string module_;
};

}  // namespace

void register_recording_components(Registry& registry, std::shared_ptr<Script> script) {
  registry.add_passenger(ComponentSpec{kPassenger, "test passenger", {}, {}});
  for (const char* name : {kPullerA, kPullerB}) {
    registry.add_puller(ComponentSpec{name, "test puller", {}, {}},
                        [script](const ComponentEnv& env) -> std::unique_ptr<Puller> {
                          ++script->made[env.module];
                          return std::make_unique<RecordingPuller>(script, env.module);
                        });
  }
  for (const char* name : {kProcessor1, kProcessor2}) {
    registry.add_processor(ComponentSpec{name, "test processor", {}, {}},
                           [script](const ComponentEnv& env) -> std::unique_ptr<Processor> {
                             ++script->made[env.module];
                             return std::make_unique<RecordingStep>(script, "process", env.module);
                           });
  }
  for (const char* name : {kPusherX, kPusherY}) {
    registry.add_pusher(ComponentSpec{name, "test pusher", {}, {}},
                        [script](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
                          ++script->made[env.module];
                          return std::make_unique<RecordingStep>(script, "push", env.module);
                        });
  }
}

void RecordingObserver::passenger_seated(const std::string&, const QueueEntry& entry) {
  events.push_back("seated " + entry.passenger.external_id);
}

void RecordingObserver::passenger_pushed(const std::string&, const QueueEntry& entry,
                                         const std::string& pusher) {
  events.push_back("pushed " + entry.passenger.external_id + " " + pusher);
}

void RecordingObserver::step_failed(const std::string&, const std::string&,
                                    const std::string& module, const QueueEntry*,
                                    const std::string&) {
  events.push_back("failed " + module);
}

void RecordingObserver::step_quarantined(const std::string&, const std::string&,
                                         const std::string& module, const QueueEntry& entry,
                                         const std::string&) {
  events.push_back("quarantined " + entry.passenger.external_id + " " + module);
}

void RecordingObserver::puller_health_changed(const std::string&, const std::string&,
                                              const std::string& puller, const PullerHealth&,
                                              PullerHealth::State was, PullerHealth::State is) {
  health_events.push_back("health " + puller + " " + std::string(to_string(was)) + " -> " +
                          std::string(to_string(is)));
}

DriverHarness::DriverHarness() {
  registry->add_queue(primal_queue_spec(), make_primal_queue);
  registry->add_driver(primal_driver_spec(), make_primal_driver);
  register_recording_components(*registry, script);
  passenger.name = kPassenger;
  passenger.pullers = {{kPullerA}, {kPullerB}};
  passenger.processors = {{kProcessor1}, {kProcessor2}};
  passenger.pushers = {{kPusherX}, {kPusherY}};
  // A failed step is due again at once, so that a test's next drive retries
  // it; tests of the backoff set their own.
  passenger.retry.initial_delay_seconds = 0;
  passenger.retry.max_delay_seconds = 0;
}

Log DriverHarness::drive(Database* db) {
  Factories factories = Factories::primal(registry);
  Log log;
  DriveRequest request;
  request.client_id = client_id;
  request.passenger = passenger;
  request.database = db != nullptr ? db : &database;
  request.factories = &factories;
  request.log = &log;
  request.observer = &observer;
  request.stop = &stop;
  PrimalDriver().drive(request);
  return log;
}

std::vector<QueueEntry> DriverHarness::entries() {
  EntryQuery query;
  query.passenger_module = kPassenger;
  return database.query_entries(client_id, query);
}

QueueEntry DriverHarness::entry(const std::string& external_id) {
  for (QueueEntry& e : entries()) {
    if (e.passenger.external_id == external_id) return e;
  }
  throw std::runtime_error("no entry " + external_id);
}

bool log_has(const Log& log, LogType type, const std::vector<std::string>& parts) {
  for (const LogEntry& e : log.entries()) {
    if (e.type != type) continue;
    bool all = true;
    for (const std::string& part : parts) all = all && e.message.find(part) != std::string::npos;
    if (all) return true;
  }
  return false;
}

}  // namespace databus::testing_support
