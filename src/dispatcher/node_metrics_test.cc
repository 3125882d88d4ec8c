#include "databus/node_metrics.h"

#include <gtest/gtest.h>

#include "databus/queue_entry.h"

namespace databus {
namespace {

QueueEntry entry_of(const std::string& passenger, const std::string& puller) {
  QueueEntry entry;
  entry.passenger.passenger_module = passenger;
  entry.passenger.puller_module = puller;
  return entry;
}

TEST(NodeMetrics, CountsEachStepByClientPassengerAndModule) {
  NodeMetrics metrics;
  const QueueEntry entry = entry_of("orders", "in");
  metrics.passengers_pulled("c", "orders", "in", 3);
  metrics.passenger_seated("c", entry);
  metrics.passenger_seated("c", entry);
  metrics.passenger_processed("c", entry, "filter");
  metrics.passenger_pushed("c", entry, "out");
  metrics.step_failed("c", "orders", "out", &entry, "down");
  metrics.step_quarantined("c", "orders", "out", entry, "down");
  metrics.passenger_pushed("other", entry, "out");

  const NodeMetrics::Snapshot s = metrics.snapshot();
  EXPECT_EQ(s.steps.at({"c", "orders", "in"}).pulled, 3u);
  EXPECT_EQ(s.steps.at({"c", "orders", "in"}).seated, 2u);
  EXPECT_EQ(s.steps.at({"c", "orders", "filter"}).processed, 1u);
  EXPECT_EQ(s.steps.at({"c", "orders", "out"}).pushed, 1u);
  EXPECT_EQ(s.steps.at({"c", "orders", "out"}).failed, 1u);
  EXPECT_EQ(s.steps.at({"c", "orders", "out"}).quarantined, 1u);
  EXPECT_EQ(s.steps.at({"other", "orders", "out"}).pushed, 1u);
  EXPECT_EQ(s.steps.size(), 4u);

  // Added up over the modules of one client passenger.
  EXPECT_EQ(metrics.flow_totals("c", "orders"), (FlowCounts{3, 1, 1, 0, 0}));
  EXPECT_EQ(metrics.flow_totals("c", "other"), FlowCounts{});
}

TEST(NodeMetrics, CountsDrivesByWorstLogTypeWithTheirDuration) {
  NodeMetrics metrics;
  Log ok, warned, failed;
  warned.add("t", LogType::warning, "w");
  failed.add("t", LogType::warning, "w");
  failed.add("t", LogType::error, "e");
  for (const Log* log : {&ok, &warned, &failed, &ok}) {
    metrics.drive_started("c", "orders");
    metrics.drive_passenger_complete("c", "orders", *log);
  }
  // Without drive_started (a drive the dispatcher did not start): counted,
  // no duration.
  metrics.drive_passenger_complete("c", "orders", ok);

  const DriveCounters d = metrics.snapshot().drives.at({"c", "orders"});
  EXPECT_EQ(d.ok, 3u);
  EXPECT_EQ(d.warning, 1u);
  EXPECT_EQ(d.error, 1u);
  EXPECT_EQ(d.count(), 5u);
  // Four timed drives, each well under the largest bucket; buckets are
  // cumulative.
  EXPECT_EQ(d.timed, 4u);
  EXPECT_EQ(d.buckets.back(), 4u);
  for (std::size_t i = 1; i < d.buckets.size(); ++i) EXPECT_LE(d.buckets[i - 1], d.buckets[i]);
  EXPECT_GE(d.seconds_sum, 0.0);
}

}  // namespace
}  // namespace databus
