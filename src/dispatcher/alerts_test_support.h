// Test support for the alert tests: a dispatcher on the memory engine with
// the primal driver and the built-in components, plus test components whose
// failures each test controls, and an alert pusher that keeps what it gets.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "databus/builtins.h"
#include "databus/dispatcher.h"
#include "databus/puller.h"
#include "databus/pusher.h"
#include "databus/registry.h"
#include "databus/uuid.h"

namespace databus::dispatch::alerts_testing {

inline constexpr char kPassenger[] = "test.alert.passenger";
inline constexpr char kPuller[] = "test.alert.puller";      // Fails while `puller_fails`.
inline constexpr char kTarget[] = "test.alert.target";      // Always throws "target down".
inline constexpr char kCapture[] = "test.alert.capture";    // Keeps every passenger.
inline constexpr char kThrowing[] = "test.alert.throwing";  // Always throws.

// What the test components share.
struct State {
  std::mutex mu;
  std::vector<std::string> pull_ids;  // Returned by every pull.
  std::atomic<bool> puller_fails{false};
  std::atomic<int> target_calls{0};
  std::vector<Passenger> captured;  // By kCapture, in order.

  std::vector<Passenger> alerts() {
    std::lock_guard lock(mu);
    return captured;
  }
};

class TestPuller : public Puller {
 public:
  explicit TestPuller(std::shared_ptr<State> s) : s_(std::move(s)) {}
  std::vector<Passenger> pull(DriveContext& ctx) override {
    if (s_->puller_fails) throw std::runtime_error("mailbox password refused");
    std::lock_guard lock(s_->mu);
    std::vector<Passenger> out;
    for (const std::string& id : s_->pull_ids)
      out.push_back(ctx.new_passenger(id, "TEST", kPuller));
    return out;
  }
  void notify(DriveContext&, const std::vector<Passenger>&) override {}

 private:
  std::shared_ptr<State> s_;
};

class TestPusher : public Pusher {
 public:
  TestPusher(std::shared_ptr<State> s, std::string module)
      : s_(std::move(s)), module_(std::move(module)) {}
  void push(DriveContext&, QueueEntry& entry) override {
    if (module_ == kTarget) {
      ++s_->target_calls;
      throw std::runtime_error("target down");
    }
    if (module_ == kThrowing) throw std::runtime_error("alert channel down");
    std::lock_guard lock(s_->mu);
    s_->captured.push_back(entry.passenger);
  }

 private:
  std::shared_ptr<State> s_;
  std::string module_;
};

// The built-in registry plus the test components backed by `state`.
inline std::shared_ptr<Registry> registry_with(std::shared_ptr<State> state) {
  std::shared_ptr<Registry> registry = builtin_registry();
  registry->add_passenger(ComponentSpec{kPassenger, "test passenger", {}, {}});
  registry->add_puller(ComponentSpec{kPuller, "test puller", {}, {}}, [state](const ComponentEnv&) {
    return std::make_unique<TestPuller>(state);
  });
  for (const char* name : {kTarget, kCapture, kThrowing}) {
    registry->add_pusher(ComponentSpec{name, "test pusher", {}, {}},
                         [state](const ComponentEnv& env) {
                           return std::make_unique<TestPusher>(state, env.module);
                         });
  }
  return registry;
}

// A ticket on the memory engine with the primal driver; no web server, no
// default clients, a long cycle (tests drive with drive_now()).
inline DispatcherTicket ticket_with(std::shared_ptr<const Registry> registry) {
  DispatcherTicket ticket;
  ticket.registry = std::move(registry);
  ticket.database_module = "memory";
  ticket.data_dir = std::filesystem::path(::testing::TempDir()) / ("alerts_test_" + new_uuid());
  ticket.run_web_server = false;
  ticket.create_default_clients = false;
  ticket.workers = 2;
  return ticket;
}

// config.json of client passenger kPassenger pulling with kPuller, pushing
// to `pushers`, quarantining after `max_attempts`, with `alerts` (omitted
// when null).
inline std::string config_with(const nlohmann::json& pushers, int max_attempts,
                               const nlohmann::json& alerts) {
  nlohmann::json config = {
      {"log_life_span", 1},
      {"users", nlohmann::json::array()},
      {"passengers",
       {{{"name", kPassenger},
         {"pullers", {kPuller}},
         {"pushers", pushers},
         {"sync_interval_seconds", 3600},
         {"retry", {{"max_attempts", max_attempts}, {"initial_delay_seconds", 0}}}}}}};
  if (!alerts.is_null()) config["alerts"] = alerts;
  return config.dump(2);
}

// The parsed alert.json of an alert passenger.
inline nlohmann::json alert_json(const Passenger& p) {
  const Attachment* a = p.find_attachment("alert.json");
  if (a == nullptr) return nullptr;
  return nlohmann::json::parse(a->content);
}

}  // namespace databus::dispatch::alerts_testing
