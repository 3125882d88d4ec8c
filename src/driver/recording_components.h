// Test helpers for the driver tests: components that record what is called,
// in one shared script, and do what the script tells them (fail N times,
// change the entry, add attachments). Not part of the library.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "databus/factories.h"
#include "databus/observer.h"
#include "databus/registry.h"
#include "storage/memory/memory_database.h"

namespace databus::testing_support {

inline constexpr char kPassenger[] = "test.passenger";
inline constexpr char kPullerA[] = "test.puller.a";
inline constexpr char kPullerB[] = "test.puller.b";
inline constexpr char kProcessor1[] = "test.processor.p1";
inline constexpr char kProcessor2[] = "test.processor.p2";
inline constexpr char kPusherX[] = "test.pusher.x";
inline constexpr char kPusherY[] = "test.pusher.y";

// What the recording components share. Modules are looked up by name.
struct Script {
  // Events in call order: "pull <module>", "notify <module> <id>,<id>",
  // "process <module> <external id>", "push <module> <external id>".
  std::vector<std::string> events;
  // Puller module -> external ids it returns on every pull.
  std::map<std::string, std::vector<std::string>> pull_ids;
  // Puller module -> attachments put on every pulled passenger as given
  // (bypassing Passenger::add_attachment, as a careless puller would).
  std::map<std::string, std::vector<Attachment>> raw_attachments;
  // Module -> how many of its next pull/process/push calls throw.
  std::map<std::string, int> failures;
  // Pusher module -> how many of its next flush calls throw.
  std::map<std::string, int> flush_failures;
  // Puller module -> how many of its next notify calls throw.
  std::map<std::string, int> notify_failures;
  // Module -> what a processor or pusher does to the entry on success.
  std::map<std::string, std::function<void(QueueEntry&)>> actions;
  // Module -> how often its object was made.
  std::map<std::string, int> made;
  // Called by a puller with each passenger's external id just before it
  // hands the passenger over (PassengerSink::put()).
  std::function<void(const std::string&)> on_put;
  int failed_calls = 0;  // Throws so far, numbering the messages "boom 1", ...
  int pulled = 0;        // Gives each pulled passenger a later pull_datetime.
};

// Registers kPassenger, both pullers, both processors and both pushers, all
// backed by `script`.
void register_recording_components(Registry& registry, std::shared_ptr<Script> script);

// Records observer events as text: "seated <id>", "pushed <id> <pusher>",
// "failed <module>", "quarantined <id> <module>"; and, apart, puller health
// changes: "health <puller> <was> -> <is>".
class RecordingObserver : public DispatcherObserver {
 public:
  void passenger_seated(const std::string& client_id, const QueueEntry& entry) override;
  void passenger_pushed(const std::string& client_id, const QueueEntry& entry,
                        const std::string& pusher) override;
  void step_failed(const std::string& client_id, const std::string& passenger,
                   const std::string& module, const QueueEntry* entry,
                   const std::string& error) override;
  void step_quarantined(const std::string& client_id, const std::string& passenger,
                        const std::string& module, const QueueEntry& entry,
                        const std::string& error) override;
  void puller_health_changed(const std::string& client_id, const std::string& passenger,
                             const std::string& puller, const PullerHealth& health,
                             PullerHealth::State was, PullerHealth::State is) override;
  std::vector<std::string> events;
  std::vector<std::string> health_events;
};

// A registry with the primal queue, the memory engine and the recording
// components; a client passenger of kPassenger; a MemoryDatabase. drive()
// runs one drive of the primal driver and returns its log.
class DriverHarness {
 public:
  DriverHarness();
  Log drive(Database* database = nullptr);
  std::vector<QueueEntry> entries();  // Every stored entry, oldest first.
  QueueEntry entry(const std::string& external_id);

  std::shared_ptr<Script> script = std::make_shared<Script>();
  std::shared_ptr<Registry> registry = std::make_shared<Registry>();
  MemoryDatabase database;
  ClientPassenger passenger;
  RecordingObserver observer;
  std::atomic<bool> stop{false};
  const std::string client_id = "acme";
};

// True when some entry of `log` has `type` and contains every one of `parts`.
bool log_has(const Log& log, LogType type, const std::vector<std::string>& parts);

}  // namespace databus::testing_support
