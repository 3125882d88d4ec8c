// The clients a first start creates (docs/configuration.md).
#include "databus/client.h"

namespace databus {
namespace {

ClientPassenger demo_passenger(std::string name, std::vector<std::string> pullers,
                               std::vector<std::string> processors,
                               std::vector<std::string> pushers) {
  ClientPassenger p;
  p.name = std::move(name);
  for (auto& m : pullers) p.pullers.push_back({std::move(m)});
  for (auto& m : processors) p.processors.push_back({std::move(m)});
  for (auto& m : pushers) p.pushers.push_back({std::move(m)});
  return p;
}

}  // namespace

ClientConfig demo_client_config() {
  ClientConfig c;
  c.id = "demo";
  c.passengers = {
      demo_passenger(
          "databus.passenger.demo.demo_passenger_1",
          {"databus.puller.demo.demo_puller_1", "databus.puller.demo.demo_puller_3"},
          {"databus.processor.demo.demo_processor_1", "databus.processor.demo.demo_processor_2"},
          {"databus.pusher.demo.demo_pusher_1", "databus.pusher.demo.demo_pusher_2"}),
      demo_passenger(
          "databus.passenger.demo.demo_passenger_2", {"databus.puller.demo.demo_puller_2"},
          {"databus.processor.demo.demo_processor_2"}, {"databus.pusher.demo.demo_pusher_2"}),
      demo_passenger("databus.passenger.demo.demo_binary_passenger",
                     {"databus.puller.demo.demo_binary_puller"}, {},
                     {"databus.pusher.demo.demo_binary_pusher"}),
  };
  c.users = {User{"demo", "demo", "", Role::administrator}};
  return c;
}

ClientConfig root_client_config() {
  ClientConfig c;
  c.id = "root";
  c.users = {User{"root", "root", "", Role::administrator}};
  return c;
}

}  // namespace databus
