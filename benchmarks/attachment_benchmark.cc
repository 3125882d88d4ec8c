// Attachment names: cleansing one name, adding attachments whose names
// collide (the "stem (2).ext" search), and the driver's pass over what a
// puller returned.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "databus/attachment.h"
#include "databus/passenger.h"
#include "driver/drive.h"

namespace databus {
namespace {

void BM_CleanseName(benchmark::State& state) {
  const std::string name = "Re: Quarterly report (final) \xC3\xA4\xC3\xB6\xC3\xBC 2024/03.pdf";
  for (auto _ : state) benchmark::DoNotOptimize(cleanse_attachment_name(name));
}
BENCHMARK(BM_CleanseName);

// N attachments all named "same.txt": each add searches for a free number.
void BM_AddCollidingAttachments(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Passenger p;
    for (int i = 0; i < n; ++i) p.add_attachment("same.txt", AttachmentFormat::text, "x");
    benchmark::DoNotOptimize(p.attachments.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_AddCollidingAttachments)->Arg(1)->Arg(10)->Arg(100);

// What the driver does to every pulled passenger: names already clean (the
// common case) or raw names from a careless puller.
void BM_CleanseAttachmentsOfAPassenger(benchmark::State& state) {
  const bool raw = state.range(0) != 0;
  Passenger given;
  for (int i = 0; i < 4; ++i) {
    std::string name =
        raw ? "dir/file " + std::to_string(i) + ".txt" : "file_" + std::to_string(i) + ".txt";
    given.attachments.push_back({name, AttachmentFormat::text, std::string(1024, 'a')});
  }
  for (auto _ : state) {
    state.PauseTiming();
    Passenger p = given;
    state.ResumeTiming();
    cleanse_attachments(p);
    benchmark::DoNotOptimize(p.attachments.data());
  }
}
BENCHMARK(BM_CleanseAttachmentsOfAPassenger)->Arg(0)->Arg(1);

}  // namespace
}  // namespace databus
