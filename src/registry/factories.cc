#include "databus/factories.h"

#include "databus/registry.h"

namespace databus {

Factories Factories::primal(std::shared_ptr<const Registry> registry) {
  // Each factory holds the registry alive for as long as it is used.
  Factories f;
  f.database = [registry](const std::string& module, const DatabaseEnv& env) {
    return registry->make_database(module, env);
  };
  f.driver = [registry](const std::string& module) { return registry->make_driver(module); };
  f.passenger = [registry](const std::string& module) { return registry->make_passenger(module); };
  f.queue = [registry](const std::string& module, const QueueEnv& env) {
    return registry->make_queue(module, env);
  };
  f.puller = [registry](const ComponentRef& ref, const ComponentEnv& env) {
    return registry->make_puller(ref, env);
  };
  f.processor = [registry](const ComponentRef& ref, const ComponentEnv& env) {
    return registry->make_processor(ref, env);
  };
  f.pusher = [registry](const ComponentRef& ref, const ComponentEnv& env) {
    return registry->make_pusher(ref, env);
  };
  return f;
}

void Factories::fill_missing(const Factories& defaults) {
  if (!database) database = defaults.database;
  if (!driver) driver = defaults.driver;
  if (!passenger) passenger = defaults.passenger;
  if (!queue) queue = defaults.queue;
  if (!puller) puller = defaults.puller;
  if (!processor) processor = defaults.processor;
  if (!pusher) pusher = defaults.pusher;
}

}  // namespace databus
