// Demo pullers: an imaginary source that always holds the same passengers.
#include <functional>
#include <utility>
#include <vector>

#include "components/demo/demo_components.h"

namespace databus::demo_internal {
namespace {

// What one demo puller returns: external id and optional attachment.
struct DemoItem {
  std::string external_id;
  std::string attachment_name;  // Empty: no attachment.
  AttachmentFormat format = AttachmentFormat::text;
  std::function<std::string()> content;
};

class DemoPuller : public Puller {
 public:
  DemoPuller(std::string label, std::string module, std::vector<DemoItem> items)
      : label_(std::move(label)), module_(std::move(module)), items_(std::move(items)) {}

  void pull_into(DriveContext& ctx, PassengerSink& sink) override {
    ctx.log().info(module_, "Pulling passengers from " + label_);
    for (const DemoItem& item : items_) {
      if (sink.done()) break;
      Passenger p = ctx.new_passenger(item.external_id, kDemoSourceSystem, module_);
      if (!item.attachment_name.empty()) {
        p.add_attachment(item.attachment_name, item.format, item.content());
      }
      ctx.log().info(module_, "Got passenger " + p.describe());
      sink.put(std::move(p));
    }
  }

  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override {
    for (const Passenger& p : seated) {
      ctx.log().info(module_, label_ + " notified about seated passenger " + p.describe());
    }
  }

 private:
  std::string label_;
  std::string module_;
  std::vector<DemoItem> items_;
};

std::function<std::string()> text(std::string content) {
  return [content] { return content; };
}

void add(Registry& registry, const std::string& name, const std::string& label,
         const std::string& summary, std::vector<DemoItem> items) {
  registry.add_puller(ComponentSpec{name, summary, {}, {}},
                      [label, items](const ComponentEnv& env) -> std::unique_ptr<Puller> {
                        return std::make_unique<DemoPuller>(label, env.module, items);
                      });
}

}  // namespace

void register_demo_pullers(Registry& registry) {
  add(registry, "databus.puller.demo.demo_puller_1", "Demo puller 1",
      "Demo: returns ID_1_1 (with puller1_file1.txt) and ID_1_2 of DEMO_SYSTEM.",
      {{"ID_1_1", "puller1_file1.txt", AttachmentFormat::text, text("Lorem Ipsum")},
       {"ID_1_2", "", AttachmentFormat::text, nullptr}});
  add(registry, "databus.puller.demo.demo_puller_2", "Demo puller 2",
      "Demo: returns ID_2_1 and ID_2_2 of DEMO_SYSTEM.",
      {{"ID_2_1", "", AttachmentFormat::text, nullptr},
       {"ID_2_2", "", AttachmentFormat::text, nullptr}});
  add(registry, "databus.puller.demo.demo_puller_3", "Demo puller 3",
      "Demo: returns ID_3_1 (with puller3_file1.txt) of DEMO_SYSTEM.",
      {{"ID_3_1", "puller3_file1.txt", AttachmentFormat::text, text("Lorem Ipsum")}});
  add(registry, "databus.puller.demo.demo_binary_puller", "Demo binary puller",
      "Demo: returns ID_BIN_1 of DEMO_SYSTEM with a PNG attachment.",
      {{"ID_BIN_1", "sample_binary_file.png", AttachmentFormat::binary, demo_png}});
}

}  // namespace databus::demo_internal
