// Demo processors and pushers: they log what they see and succeed.
#include <utility>

#include "components/demo/demo_components.h"
#include "databus/attachment_content.h"

namespace databus::demo_internal {
namespace {

std::string attachment_list(const Passenger& p) {
  if (p.attachments.empty()) return "no attachments";
  std::string out;
  for (const Attachment& a : p.attachments) {
    if (!out.empty()) out += ", ";
    out += a.name + " (" + std::string(to_string(a.format)) + ", " +
           std::to_string(content_size(a)) + " bytes)";
  }
  return out;
}

class DemoProcessor : public Processor {
 public:
  DemoProcessor(std::string label, std::string module)
      : label_(std::move(label)), module_(std::move(module)) {}
  void process(DriveContext& ctx, QueueEntry& entry) override {
    ctx.log().info(module_, label_ + " processing passenger " + entry.passenger.describe());
  }

 private:
  std::string label_, module_;
};

class DemoPusher : public Pusher {
 public:
  DemoPusher(std::string label, std::string module)
      : label_(std::move(label)), module_(std::move(module)) {}
  void push(DriveContext& ctx, QueueEntry& entry) override {
    ctx.log().info(module_, label_ + " pushing passenger " + entry.passenger.describe() + " with " +
                                attachment_list(entry.passenger));
  }

 private:
  std::string label_, module_;
};

void add_processor(Registry& registry, const std::string& name, const std::string& label) {
  registry.add_processor(ComponentSpec{name, "Demo: logs the passenger and completes.", {}, {}},
                         [label](const ComponentEnv& env) -> std::unique_ptr<Processor> {
                           return std::make_unique<DemoProcessor>(label, env.module);
                         });
}

void add_pusher(Registry& registry, const std::string& name, const std::string& label) {
  registry.add_pusher(
      ComponentSpec{name, "Demo: logs the passenger and its attachments and completes.", {}, {}},
      [label](const ComponentEnv& env) -> std::unique_ptr<Pusher> {
        return std::make_unique<DemoPusher>(label, env.module);
      });
}

}  // namespace

void register_demo_steps(Registry& registry) {
  add_processor(registry, "databus.processor.demo.demo_processor_1", "Demo processor 1");
  add_processor(registry, "databus.processor.demo.demo_processor_2", "Demo processor 2");
  add_pusher(registry, "databus.pusher.demo.demo_pusher_1", "Demo pusher 1");
  add_pusher(registry, "databus.pusher.demo.demo_pusher_2", "Demo pusher 2");
  add_pusher(registry, "databus.pusher.demo.demo_binary_pusher", "Demo binary pusher");
}

}  // namespace databus::demo_internal
