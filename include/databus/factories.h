// The factories of the dispatcher ticket (docs/architecture.md "Concepts"): functions that turn a
// module name into an object. Replace any of them to take over how that kind
// is made; the primal factories consult a Registry.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "databus/component.h"
#include "databus/database.h"
#include "databus/driver.h"
#include "databus/processor.h"
#include "databus/puller.h"
#include "databus/pusher.h"
#include "databus/queue.h"

namespace databus {

class Registry;

using DatabaseFactory =
    std::function<std::unique_ptr<Database>(const std::string& module, const DatabaseEnv& env)>;
using DriverFactory = std::function<std::unique_ptr<Driver>(const std::string& module)>;
using PassengerFactory = std::function<Passenger(const std::string& module)>;
using QueueFactory =
    std::function<std::unique_ptr<Queue>(const std::string& module, const QueueEnv& env)>;
using PullerFactory =
    std::function<std::unique_ptr<Puller>(const ComponentRef& ref, const ComponentEnv& env)>;
using ProcessorFactory =
    std::function<std::unique_ptr<Processor>(const ComponentRef& ref, const ComponentEnv& env)>;
using PusherFactory =
    std::function<std::unique_ptr<Pusher>(const ComponentRef& ref, const ComponentEnv& env)>;

// All seven factories. Every member is set once the dispatcher has filled in
// the primal ones; each throws UnknownModuleError for a name it does not know.
struct Factories {
  DatabaseFactory database;
  DriverFactory driver;
  PassengerFactory passenger;
  QueueFactory queue;
  PullerFactory puller;
  ProcessorFactory processor;
  PusherFactory pusher;

  // Factories that consult `registry`, which must outlive their use.
  static Factories primal(std::shared_ptr<const Registry> registry);

  // Sets every empty member to its counterpart in `defaults`.
  void fill_missing(const Factories& defaults);
};

}  // namespace databus
