#include "bench/synthetic_components.h"

#include <string_view>
#include <utility>
#include <vector>

namespace databus::bench {
namespace {

// Zero-padded so that the pull order and the name order agree.
std::string numbered(std::string_view prefix, std::size_t index) {
  std::string digits = std::to_string(index);
  std::string out(prefix);
  if (digits.size() < 9) out.append(9 - digits.size(), '0');
  return out + digits;
}

class SyntheticPuller : public Puller {
 public:
  SyntheticPuller(std::string module, std::shared_ptr<SyntheticSource> source)
      : module_(std::move(module)), source_(std::move(source)) {}

  // Streams: each passenger is made as the sink takes it, so a drive of a
  // million passengers holds a batch of them (docs/architecture.md
  // "Streaming drives"). notify() may run inside put(); the next index is
  // this loop's own.
  void pull_into(DriveContext& ctx, PassengerSink& sink) override {
    for (std::size_t i = source_->notified; i < source_->passengers && !sink.done(); ++i) {
      Passenger p = ctx.new_passenger(numbered(kPulledPrefix, i), kBenchSourceSystem, module_);
      p.add_attachment("body.txt", AttachmentFormat::text,
                       synthetic_text(i, source_->attachment_bytes));
      sink.put(std::move(p));
    }
  }

  // The source hands out passengers in order, so being told about some means
  // they (and, as this source never skips, every earlier one) are taken.
  void notify(DriveContext& ctx, const std::vector<Passenger>& seated) override {
    source_->notified += seated.size();
    if (source_->notified > source_->passengers) source_->notified = source_->passengers;
  }

 private:
  std::string module_;
  std::shared_ptr<SyntheticSource> source_;
};

class CompletingStep : public Processor, public Pusher {
 public:
  void process(DriveContext&, QueueEntry&) override {}
  void push(DriveContext&, QueueEntry&) override {}
};

}  // namespace

std::string bench_processor(int i) { return "databus.processor.bench.pass_" + std::to_string(i); }
std::string bench_pusher(int i) { return "databus.pusher.bench.discard_" + std::to_string(i); }

std::string synthetic_text(std::size_t index, std::size_t bytes) {
  static constexpr std::string_view kFiller =
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ";
  std::string text = "passenger " + std::to_string(index) + ": ";
  text.reserve(bytes);
  while (text.size() < bytes) text.append(kFiller.substr(0, bytes - text.size()));
  text.resize(bytes);
  return text;
}

void register_synthetic_components(Registry& registry, std::shared_ptr<SyntheticSource> source,
                                   int processors, int pushers) {
  registry.add_passenger({kBenchPassenger, "Benchmark: a synthetic passenger", {}, {}});
  registry.add_puller(
      {kBenchPuller, "Benchmark: yields N passengers with one text attachment each", {}, {}},
      [source](const ComponentEnv& env) -> std::unique_ptr<Puller> {
        return std::make_unique<SyntheticPuller>(env.module, source);
      });
  for (int i = 1; i <= processors; ++i) {
    registry.add_processor({bench_processor(i), "Benchmark: completes at once", {}, {}},
                           [](const ComponentEnv&) -> std::unique_ptr<Processor> {
                             return std::make_unique<CompletingStep>();
                           });
  }
  for (int i = 1; i <= pushers; ++i) {
    registry.add_pusher({bench_pusher(i), "Benchmark: completes at once", {}, {}},
                        [](const ComponentEnv&) -> std::unique_ptr<Pusher> {
                          return std::make_unique<CompletingStep>();
                        });
  }
}

}  // namespace databus::bench
