// Test support for the dispatcher tests: a registry of test components (the
// in-memory engine, the primal queue, a driver whose behaviour each test
// supplies), a ticket for it, a gate to hold drives, and drive counters that
// tests await with bounded waits.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "databus/driver.h"
#include "databus/puller.h"
#include "databus/registry.h"
#include "databus/ticket.h"
#include "queue/primal_queue.h"
#include "storage/memory/memory_database.h"

namespace databus::dispatch::testing {

// Upper bound of every wait in these tests; reached only when a test fails.
inline constexpr std::chrono::seconds kPatience{20};

inline constexpr char kTestDriver[] = "test.driver";
inline constexpr char kPassengerA[] = "test.passenger.a";
inline constexpr char kPassengerB[] = "test.passenger.b";
inline constexpr char kTestPuller[] = "test.puller";  // Setting "path" (optional).

// A one-shot gate: wait() blocks until open() (or the patience runs out).
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  // Returns whether the gate opened in time.
  bool wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// What the test driver does and what it has seen, per "client/passenger".
class DriveHooks {
 public:
  using Hook = std::function<void(const DriveRequest&)>;

  // Takes the hook back when it goes: no drive calls it afterwards, and
  // one calling it is waited for. A test whose hook refers to its locals
  // keeps the guard in a local declared after them, so that drives the
  // dispatcher still runs after the test's last line never reach them.
  class Hooked {
   public:
    explicit Hooked(DriveHooks& hooks) : hooks_(&hooks) {}
    Hooked(const Hooked&) = delete;
    Hooked& operator=(const Hooked&) = delete;
    ~Hooked() { hooks_->set_hook(nullptr); }

   private:
    DriveHooks* hooks_;
  };

  // Runs `hook` inside every drive from now on, until the guard goes. Set
  // before the dispatcher starts.
  [[nodiscard]] Hooked hook(Hook hook) {
    set_hook(std::move(hook));
    return Hooked(*this);
  }
  // Runs the hook, if any, for `request` (HookDriver).
  void run_hook(const DriveRequest& request) {
    std::shared_lock lock(hook_mu_);
    if (on_drive_) on_drive_(request);
  }
  // Replaces the hook for good (no guard): for hooks that refer to nothing
  // of the test's.
  void set_hook(Hook hook) {
    std::unique_lock lock(hook_mu_);
    on_drive_ = std::move(hook);
  }

  static std::string key(const std::string& client, const std::string& passenger) {
    return client + "/" + passenger;
  }

  void begin(const std::string& k) {
    std::lock_guard lock(mu_);
    ++started_[k];
    max_active_[k] = std::max(max_active_[k], ++active_[k]);
    events_.push_back("start " + k);
    cv_.notify_all();
  }
  void end(const std::string& k) {
    std::lock_guard lock(mu_);
    --active_[k];
    ++finished_[k];
    events_.push_back("end " + k);
    cv_.notify_all();
  }
  void event(std::string e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
    cv_.notify_all();
  }

  int started(const std::string& k) {
    std::lock_guard lock(mu_);
    return started_[k];
  }
  int finished(const std::string& k) {
    std::lock_guard lock(mu_);
    return finished_[k];
  }
  int max_active(const std::string& k) {
    std::lock_guard lock(mu_);
    return max_active_[k];
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  // Waits until `k` has started / finished at least `n` drives.
  bool await_started(const std::string& k, int n) { return await(started_, k, n); }
  bool await_finished(const std::string& k, int n) { return await(finished_, k, n); }

 private:
  bool await(std::map<std::string, int>& counts, const std::string& k, int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return counts[k] >= n; });
  }

  std::shared_mutex hook_mu_;  // Held shared while the hook runs.
  Hook on_drive_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> started_, finished_, active_, max_active_;
  std::vector<std::string> events_;
};

class HookDriver : public Driver {
 public:
  explicit HookDriver(std::shared_ptr<DriveHooks> hooks) : hooks_(std::move(hooks)) {}
  void drive(const DriveRequest& request) override {
    const std::string k = DriveHooks::key(request.client_id, request.passenger.name);
    hooks_->begin(k);
    struct End {
      DriveHooks* h;
      std::string k;
      ~End() { h->end(k); }
    } end{hooks_.get(), k};
    request.log->info(kTestDriver, "drove " + k);
    hooks_->run_hook(request);
  }

 private:
  std::shared_ptr<DriveHooks> hooks_;
};

class NullPuller : public Puller {
 public:
  std::vector<Passenger> pull(DriveContext&) override { return {}; }
  void notify(DriveContext&, const std::vector<Passenger>&) override {}
};

inline std::shared_ptr<Registry> test_registry(std::shared_ptr<DriveHooks> hooks) {
  auto registry = std::make_shared<Registry>();
  registry->add_database(memory_database_spec(), open_memory_database);
  registry->add_queue(primal_queue_spec(), make_primal_queue);
  registry->add_driver(ComponentSpec{kTestDriver, "drives through test hooks", {}, {}},
                       [hooks] { return std::make_unique<HookDriver>(hooks); });
  registry->add_passenger(ComponentSpec{kPassengerA, "test passenger A", {}, {}});
  registry->add_passenger(ComponentSpec{kPassengerB, "test passenger B", {}, {}});
  registry->add_puller(
      ComponentSpec{kTestPuller, "pulls nothing", {SettingSpec{"path", "a folder", "", false}}, {}},
      [](const ComponentEnv&) { return std::make_unique<NullPuller>(); });
  return registry;
}

// A ticket on the memory engine with the test driver, a 20 ms cycle and no
// default clients.
inline DispatcherTicket test_ticket(std::shared_ptr<const Registry> registry) {
  DispatcherTicket ticket;
  ticket.registry = std::move(registry);
  ticket.database_module = "memory";
  ticket.driver_module = kTestDriver;
  ticket.data_dir = std::filesystem::path(::testing::TempDir()) / "dispatcher_test_data";
  ticket.run_web_server = false;
  ticket.create_default_clients = false;
  ticket.workers = 2;
  ticket.cycle = std::chrono::milliseconds(20);
  return ticket;
}

// config.json text with the given (passenger name, interval seconds) pairs.
inline std::string config_text(const std::vector<std::pair<std::string, int>>& passengers,
                               int log_life_span = 1, int queue_life_span = 1) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, seconds] : passengers) {
    list.push_back({{"name", name},
                    {"pullers", nlohmann::json::array()},
                    {"processors", nlohmann::json::array()},
                    {"pushers", nlohmann::json::array()},
                    {"queue", "databus.pqueue.primal_queue"},
                    {"queue_life_span", queue_life_span},
                    {"sync_frequency", 1},
                    {"sync_interval_seconds", seconds}});
  }
  return nlohmann::json{
      {"log_life_span", log_life_span}, {"passengers", list}, {"users", nlohmann::json::array()}}
      .dump(2);
}

}  // namespace databus::dispatch::testing
