// Streaming drives (docs/architecture.md "Streaming drives"): what a puller
// hands over is seated, notified, processed and pushed batch by batch while
// the puller goes on reading, so a drive holds a batch, not the source.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "databus/database_wrapper.h"
#include "driver/drive.h"
#include "driver/primal_driver.h"
#include "driver/recording_components.h"

namespace databus {
namespace {

using namespace testing_support;

std::vector<std::string> numbered_ids(std::size_t n) {
  std::vector<std::string> ids;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) ids.push_back("N" + std::to_string(i));
  return ids;
}

// The bound as behaviour: when the puller hands over passenger i, every
// batch before i's is notified, processed and pushed already, and no more
// than a batch of what it handed over waits for its notify().
TEST(PrimalDriverStreamTest, ADriveHoldsOneBatchOfWhatThePullerHandsOver) {
  constexpr std::size_t kPassengers = 20000;
  static_assert(kPassengers > 3 * Drive::kBatch);
  DriverHarness h;
  h.passenger.pullers.resize(1);  // Puller A only.
  h.script->pull_ids[kPullerA] = numbered_ids(kPassengers);
  Script& script = *h.script;
  std::size_t handed = 0, notified = 0, pushed = 0, events_seen = 0, largest_notify = 0;
  bool in_order = true;
  script.on_put = [&](const std::string& id) {
    // What happened since the last hand-over.
    for (; events_seen < script.events.size(); ++events_seen) {
      const std::string& event = script.events[events_seen];
      if (event.rfind("notify ", 0) == 0) {
        const std::size_t n = std::count(event.begin(), event.end(), ',') + 1;
        notified += n;
        largest_notify = std::max(largest_notify, n);
      } else if (event.rfind("push test.pusher.y ", 0) == 0) {
        ++pushed;
      }
    }
    const std::size_t done_batches = handed / Drive::kBatch;
    if (id != "N" + std::to_string(handed) || notified < done_batches * Drive::kBatch ||
        pushed < done_batches * Drive::kBatch || handed - notified > Drive::kBatch) {
      if (in_order) {
        ADD_FAILURE() << "handing over " << id << ": " << notified << " notified, " << pushed
                      << " pushed";
      }
      in_order = false;
    }
    ++handed;
  };

  Log log = h.drive();

  EXPECT_TRUE(in_order);
  EXPECT_EQ(handed, kPassengers);
  EXPECT_EQ(largest_notify, Drive::kBatch);
  EXPECT_FALSE(log.has_errors());
  EXPECT_EQ(h.database.count_entries(h.client_id, EntryQuery{}), kPassengers);
  EntryQuery open;
  open.filter = EntryFilter::incomplete;
  EXPECT_EQ(h.database.count_entries(h.client_id, open), 0u);
  // The log is bounded too: past kNamesPerDrive names, lines give counts.
  EXPECT_TRUE(log_has(log, LogType::info, {"Info lines of this drive name no more passengers"}));
  EXPECT_TRUE(
      log_has(log, LogType::info,
              {"Pushed " + std::to_string(Drive::kBatch) + " passenger(s) with " + kPusherY}));
  EXPECT_TRUE(log_has(log, LogType::info,
                      {"Drive done: " + std::to_string(kPassengers) + " pulled, " +
                       std::to_string(kPassengers) + " seated"}));
}

// A batch's last group of pushes is written on the second thread while the
// puller reads the next batch: the first such write waits until the puller
// hands over the first passenger of the next batch.
TEST(PrimalDriverStreamTest, ABatchIsWrittenWhileThePullerReadsTheNext) {
  struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool next_batch_started = false;
  };
  auto gate = std::make_shared<Gate>();
  const std::string first_of_next = "N" + std::to_string(Drive::kBatch);

  // Holds the first write of pushed statuses until the next batch's first
  // passenger is handed over, or for 20 s at most.
  class WaitingDatabase : public DatabaseWrapper {
   public:
    WaitingDatabase(Database& target, std::shared_ptr<Gate> gate)
        : DatabaseWrapper(target), gate_(std::move(gate)) {}
    void update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                        SaveScope scope) override {
      const StepState* y = entries.empty() ? nullptr : entries[0].pusher(kPusherY);
      if (!waited_ && y != nullptr && y->status == StepStatus::complete) {
        waited_ = true;
        std::unique_lock<std::mutex> lock(gate_->mutex);
        overlapped = gate_->changed.wait_for(lock, std::chrono::seconds(20),
                                             [&] { return gate_->next_batch_started; });
      }
      DatabaseWrapper::update_entries(client_id, entries, scope);
    }
    bool overlapped = false;

   private:
    std::shared_ptr<Gate> gate_;
    bool waited_ = false;
  };

  DriverHarness h;
  h.script->pull_ids[kPullerA] = numbered_ids(Drive::kBatch + 1);
  h.script->on_put = [gate, first_of_next](const std::string& id) {
    if (id != first_of_next) return;
    std::lock_guard<std::mutex> lock(gate->mutex);
    gate->next_batch_started = true;
    gate->changed.notify_all();
  };
  WaitingDatabase db(h.database, gate);

  Log log = h.drive(&db);

  EXPECT_TRUE(db.overlapped);
  EXPECT_FALSE(log.has_errors());
  for (const QueueEntry& e : h.entries()) ASSERT_TRUE(e.complete()) << e.passenger.external_id;
}

// A batch is full at kBatchBytes of attachments too, before kBatch
// passengers: a puller of large files is notified file group by file group.
TEST(PrimalDriverStreamTest, ABatchEndsAtItsByteBound) {
  DriverHarness h;
  h.passenger.pullers.resize(1);
  h.script->pull_ids[kPullerA] = {"BIG1", "BIG2", "BIG3"};
  Attachment half;
  half.name = "big.bin";
  half.format = AttachmentFormat::binary;
  half.content.assign(Drive::kBatchBytes / 2, 'x');
  h.script->raw_attachments[kPullerA] = {half};

  Log log = h.drive();

  EXPECT_THAT(h.script->events, testing::Contains("notify test.puller.a BIG1,BIG2"));
  EXPECT_THAT(h.script->events, testing::Contains("notify test.puller.a BIG3"));
  EXPECT_FALSE(log.has_errors());
}

// Passengers a puller handed over before it failed are taken all the same;
// the failure is the puller's.
TEST(PrimalDriverStreamTest, WhatWasHandedOverBeforeAFailureIsSeated) {
  DriverHarness h;
  h.passenger.pullers.resize(1);
  h.script->pull_ids[kPullerA] = {"A1", "A2", "A3"};
  h.script->on_put = [](const std::string& id) {
    if (id == "A3") throw std::runtime_error("connection lost");
  };

  Log log = h.drive();

  EXPECT_TRUE(log_has(log, LogType::error, {"puller", kPullerA, "connection lost"}));
  ASSERT_EQ(h.entries().size(), 2u);
  EXPECT_TRUE(h.entry("A1").complete());
  EXPECT_TRUE(h.entry("A2").complete());
}

}  // namespace
}  // namespace databus
