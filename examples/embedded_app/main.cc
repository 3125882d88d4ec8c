// An application embedding Databus: it registers its own passenger type,
// puller, processor, pusher and observer next to the built-ins, fills a
// dispatcher ticket in code, runs the dispatcher until its greetings have
// been delivered, then shuts down and checks the outcome.
// Exit 0 when everything arrived; non-zero with a message otherwise.

#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <string>

#include <databus/databus.h>

#include "greeting_components.h"

namespace {

constexpr char kClient[] = "example";
constexpr char kLabel[] = "archive";

// Told by the dispatcher about each delivery; lets main() wait for them.
// Called from worker threads, hence the mutex.
class DeliveryObserver : public databus::DispatcherObserver {
 public:
  void passenger_pushed(const std::string& client_id, const databus::QueueEntry& entry,
                        const std::string& pusher) override {
    std::lock_guard lock(mutex_);
    pushed_.insert(entry.passenger.external_id);
    changed_.notify_all();
  }

  void drive_passenger_complete(const std::string& client_id, const std::string& passenger,
                                const databus::Log& log) override {
    if (!log.has_errors()) return;
    std::lock_guard lock(mutex_);
    errors_ += log.to_text() + "\n";
    changed_.notify_all();
  }

  // Waits until `count` passengers were pushed or a drive logged an error.
  bool await_pushed(std::size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      return pushed_.size() >= count || !errors_.empty();
    }) && errors_.empty();
  }

  std::string errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> pushed_;
  std::string errors_;
};

// The client's configuration, in code. The pusher reference uses the object
// form, {"module": ..., "label": ...}, to carry its setting.
databus::ClientConfig client_config() {
  databus::ClientPassenger greetings;
  greetings.name = example::kGreetingPassenger;
  greetings.pullers = {{example::kInboxPuller}};
  greetings.processors = {{example::kUppercaseProcessor}};
  greetings.pushers = {{example::kOutboxPusher, {{"label", kLabel}}}};
  greetings.sync_interval_seconds = 1;  // Drive every second (default: every minute).

  databus::ClientConfig config;
  config.id = kClient;
  config.passengers = {greetings};
  return config;  // No users: authentication off for this client.
}

int fail(const std::string& message) {
  std::cerr << "embedded_app: FAILED: " << message << std::endl;
  return 1;
}

int run(const std::filesystem::path& data_dir) {
  example::Inbox inbox;
  example::Outbox outbox;
  inbox.add("G-1", "hello");
  inbox.add("G-2", "good morning");
  inbox.add("G-3", "bonjour");

  // 1. A registry: the built-ins plus our own components.
  std::shared_ptr<databus::Registry> registry = databus::builtin_registry();
  example::register_greeting_components(*registry, inbox, outbox);

  // 2. The ticket: every field has a default; we set what this app needs.
  auto observer = std::make_shared<DeliveryObserver>();
  databus::DispatcherTicket ticket;
  ticket.registry = registry;
  ticket.data_dir = data_dir;             // JSON DB (the default engine) lives here.
  ticket.run_web_server = false;          // An embedded engine without web pages.
  ticket.create_default_clients = false;  // No root/demo clients.
  ticket.dispatcher_observer = observer;
  ticket.cycle = std::chrono::milliseconds(100);
  ticket.system_alias = "Embedded example";

  // 3. Start. The client is created with an empty configuration, then its
  // real one is saved through the customizing API, which validates it
  // against the registry (a typo in a module or setting is a ConfigError
  // here, not a failing drive later).
  databus::Dispatcher dispatcher(ticket);
  dispatcher.database().write_client_config_text(
      kClient, databus::ClientConfig{.id = kClient}.to_json().dump(2));
  dispatcher.save_customizing(kClient, "__databus__", client_config().to_json().dump(2));
  dispatcher.start();

  const bool delivered = observer->await_pushed(3, std::chrono::seconds(60));
  dispatcher.shutdown();
  dispatcher.wait();
  if (!delivered) {
    return fail(observer->errors().empty() ? "greetings not delivered within 60 s"
                                           : "a drive logged errors:\n" + observer->errors());
  }

  // 4. Verify: every greeting delivered once, upper-cased, its queue entry
  // complete, nothing left in the inbox.
  const std::map<std::string, std::string> archive = outbox.delivered(kLabel);
  std::multiset<std::string> texts;
  for (const auto& [internal_id, text] : archive) texts.insert(text);
  const std::multiset<std::string> expected = {"HELLO", "GOOD MORNING", "BONJOUR"};
  if (texts != expected) return fail("the outbox does not hold the three upper-cased greetings");
  if (!inbox.waiting().empty()) return fail("greetings were left in the inbox");

  databus::EntryQuery query;
  query.passenger_module = example::kGreetingPassenger;
  const std::vector<databus::QueueEntry> entries =
      dispatcher.database().query_entries(kClient, query);
  if (entries.size() != 3)
    return fail("expected 3 queue entries, found " + std::to_string(entries.size()));
  for (const databus::QueueEntry& entry : entries) {
    if (!entry.complete()) return fail(entry.passenger.describe() + " is not complete");
    if (!archive.contains(entry.passenger.internal_id)) {
      return fail(entry.passenger.describe() + " was not delivered under its internal id");
    }
  }

  std::cout << "embedded_app: Databus " << databus::kVersion << " delivered " << archive.size()
            << " greetings from " << dispatcher.database().describe() << std::endl;
  return 0;
}

}  // namespace

int main() {
  // A private, temporary data directory, removed afterwards.
  std::string pattern =
      (std::filesystem::temp_directory_path() / "databus_example_XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return fail("cannot create a temporary directory");
  const std::filesystem::path data_dir = pattern;

  int code = 1;
  try {
    code = run(data_dir);
  } catch (const databus::Error& e) {
    code = fail(e.what());
  } catch (const std::exception& e) {
    code = fail(std::string("unexpected: ") + e.what());
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir, ignored);
  return code;
}
