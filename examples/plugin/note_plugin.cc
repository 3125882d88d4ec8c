// An example Databus plugin: a passenger type, a puller, a processor and a
// pusher, registered through the public SDK only and loaded by
// `databus run --plugin-dir DIR` (docs/architecture.md, "Plugins").
//
// example.puller.counter    makes `count` notes, ids "<prefix>-1"..; a note
//                           already queued is a repeat the driver skips.
// example.processor.stamp   appends `stamp` to each text attachment.
// example.pusher.folder     writes each note's text to `<path>/<external id>.txt`.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <databus/plugin.h>

namespace {

constexpr char kNotePassenger[] = "example.passenger.note";
constexpr char kCounterPuller[] = "example.puller.counter";
constexpr char kStampProcessor[] = "example.processor.stamp";
constexpr char kFolderPusher[] = "example.pusher.folder";

using databus::SettingSpec;

class CounterPuller : public databus::Puller {
 public:
  explicit CounterPuller(const databus::ComponentEnv& env)
      // Each setting as the spec below declares it: checked and defaulted
      // by the registry before this constructor runs.
      : count_(env.setting<std::int64_t>("count")), prefix_(env.setting<std::string>("prefix")) {}

  // The streaming form (docs/architecture.md, "Streaming pullers"): each
  // note is handed over as soon as it is made, so a drive holds a bounded
  // batch however many there are; notify() may run from inside put().
  void pull_into(databus::DriveContext& ctx, databus::PassengerSink& sink) override {
    for (std::int64_t i = 1; i <= count_ && !sink.done() && !ctx.stop_requested(); ++i) {
      const std::string id = prefix_ + "-" + std::to_string(i);
      databus::Passenger note = ctx.new_passenger(id, "example", kCounterPuller);
      note.add_attachment("note.txt", databus::AttachmentFormat::text, "note " + id);
      sink.put(std::move(note));
    }
  }

  // Nothing to retire at the source: a note pulled again is a repeat the
  // driver skips (same source system and external id).
  void notify(databus::DriveContext&, const std::vector<databus::Passenger>&) override {}

 private:
  std::int64_t count_;
  std::string prefix_;
};

class StampProcessor : public databus::Processor {
 public:
  explicit StampProcessor(const databus::ComponentEnv& env)
      : stamp_(env.setting<std::string>("stamp")) {}

  void process(databus::DriveContext& ctx, databus::QueueEntry& entry) override {
    for (databus::Attachment& attachment : entry.passenger.attachments) {
      if (attachment.format == databus::AttachmentFormat::text) attachment.content += stamp_;
    }
  }

 private:
  std::string stamp_;
};

class FolderPusher : public databus::Pusher {
 public:
  explicit FolderPusher(const databus::ComponentEnv& env)
      : folder_(env.setting<std::string>("path")) {}

  void push(databus::DriveContext& ctx, databus::QueueEntry& entry) override {
    const databus::Attachment* note = entry.passenger.find_attachment("note.txt");
    if (note == nullptr) throw std::runtime_error(entry.passenger.describe() + " has no note.txt");
    const std::filesystem::path file = folder_ / (entry.passenger.external_id + ".txt");
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << note->content;
    if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
    ctx.log().info(kFolderPusher, "wrote " + file.string());
  }

 private:
  std::filesystem::path folder_;
};

void register_note_plugin(databus::Registry& registry) {
  registry.add_passenger({kNotePassenger, "A note made by the example plugin."});

  databus::ComponentSpec counter{kCounterPuller, "Makes `count` notes at each drive."};
  counter.settings = {
      SettingSpec{"count", "How many notes to make.", 3}.integer(1, 100),
      SettingSpec{"prefix", "Start of each note's external id.", "note"}.string(),
  };
  registry.add_puller(std::move(counter), [](const databus::ComponentEnv& env) {
    return std::make_unique<CounterPuller>(env);
  });

  databus::ComponentSpec stamp{kStampProcessor, "Appends a stamp to each text attachment."};
  stamp.settings = {SettingSpec{"stamp", "Text appended.", " (stamped)"}.string()};
  registry.add_processor(std::move(stamp), [](const databus::ComponentEnv& env) {
    return std::make_unique<StampProcessor>(env);
  });

  databus::ComponentSpec folder{kFolderPusher, "Writes each note to a folder."};
  // A path on the host: the operator's decision (SettingSpec::host).
  folder.settings = {SettingSpec{"path", "Folder the notes are written to.", nullptr, true, false,
                                 databus::HostAccess::path}
                         .string()};
  registry.add_pusher(std::move(folder), [](const databus::ComponentEnv& env) {
    return std::make_unique<FolderPusher>(env);
  });
}

}  // namespace

DATABUS_PLUGIN(register_note_plugin)
