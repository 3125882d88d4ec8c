// passenger.json: encoding and decoding one queue entry, as the JSON DB does
// for every write and every read of an entry.
#include <benchmark/benchmark.h>

#include <string>

#include "databus/queue_entry.h"
#include "databus/uuid.h"
#include "storage/json_db/passenger_codec.h"

namespace databus {
namespace {

QueueEntry sample_entry(int steps) {
  Passenger p;
  p.external_id = "ORDER-000123456";
  p.internal_id = new_uuid();
  p.source_system = "ERP";
  p.passenger_module = "acme.passenger.order";
  p.puller_module = "acme.puller.erp";
  p.pull_datetime = Clock::now();
  p.add_attachment("order.xml", AttachmentFormat::text, "");
  p.add_attachment("scan.pdf", AttachmentFormat::binary, "");
  p.add_log_guid(new_uuid());
  p.add_log_guid(new_uuid());
  std::vector<std::string> processors, pushers;
  for (int i = 0; i < steps; ++i) {
    processors.push_back("acme.processor.step_" + std::to_string(i));
    pushers.push_back("acme.pusher.target_" + std::to_string(i));
  }
  return QueueEntry::seat(std::move(p), processors, pushers);
}

void BM_EncodePassengerJson(benchmark::State& state) {
  const QueueEntry entry = sample_entry(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = encode_passenger_json(entry);
    bytes += text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_EncodePassengerJson)->Arg(1)->Arg(5);

void BM_DecodePassengerJson(benchmark::State& state) {
  const std::string text = encode_passenger_json(sample_entry(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    QueueEntry entry = decode_passenger_json(text, "passenger.json");
    benchmark::DoNotOptimize(entry.passenger.internal_id.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodePassengerJson)->Arg(1)->Arg(5);

}  // namespace
}  // namespace databus
