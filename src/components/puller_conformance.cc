// The streaming conformance suite of the pullers (puller_conformance.h).
#include "components/puller_conformance.h"

#include <gmock/gmock.h>

#include <vector>

#include "databus/builtins.h"
#include "databus/log.h"
#include "storage/memory/memory_database.h"

namespace databus::testing_support {

namespace {

using testing::ElementsAreArray;
using testing::IsEmpty;

// What the driver's sink does, observable: collects the external ids handed
// over, calls the puller's notify() every `every` passengers for those handed
// over since the last call (from inside put(), as the driver does after
// seating a batch), and says done() after `limit` passengers.
class DriverLikeSink : public PassengerSink {
 public:
  DriverLikeSink(Puller& puller, DriveContext& ctx, std::size_t every, std::size_t limit)
      : puller_(puller), ctx_(ctx), every_(every), limit_(limit) {}

  void put(Passenger passenger) override {
    EXPECT_FALSE(done()) << "put() after done()";
    ids.push_back(passenger.external_id);
    if (on_put) on_put(ids.size());
    batch_.push_back(std::move(passenger));
    if (batch_.size() == every_) {
      puller_.notify(ctx_, batch_);
      for (const Passenger& p : batch_) notified.push_back(p.external_id);
      batch_.clear();
    }
  }
  bool done() const override { return ids.size() >= limit_; }

  std::vector<std::string> ids;
  std::vector<std::string> notified;
  std::function<void(std::size_t count)> on_put;

 private:
  Puller& puller_;
  DriveContext& ctx_;
  std::size_t every_;
  std::size_t limit_;
  std::vector<Passenger> batch_;
};

constexpr std::size_t kNoLimit = static_cast<std::size_t>(-1);

class Drive {
 public:
  Drive() {
    passenger_.name = "test.passenger";
    ctx_ = std::make_unique<DriveContext>("acme", passenger_, log_, [] {
      Passenger p;
      p.passenger_module = "test.passenger";
      return p;
    });
    ctx_->set_state_store(&store_);
  }
  DriveContext& ctx() { return *ctx_; }

 private:
  ClientPassenger passenger_;
  Log log_;
  MemoryDatabase store_;
  std::unique_ptr<DriveContext> ctx_;
};

std::vector<std::string> ids_of(const PullerSource& source, int first, int last) {
  std::vector<std::string> ids;
  for (int i = first; i <= last; ++i) ids.push_back(source.external_id(i));
  return ids;
}

// What one pull through a DriverLikeSink handed over and notified.
struct Pulled {
  std::vector<std::string> ids;
  std::vector<std::string> notified;
};

Pulled pull_once(PullerSource& source, DriveContext& ctx, std::size_t every, std::size_t limit,
                 std::function<void(std::size_t)> on_put = nullptr) {
  std::unique_ptr<Puller> puller = source.make_puller();
  DriverLikeSink sink(*puller, ctx, every, limit);
  sink.on_put = std::move(on_put);
  puller->pull_into(ctx, sink);
  return {sink.ids, sink.notified};
}

std::vector<std::string> pulled_ids(Puller& puller, DriveContext& ctx) {
  std::vector<std::string> ids;
  for (const Passenger& p : puller.pull(ctx)) ids.push_back(p.external_id);
  return ids;
}

}  // namespace

std::unique_ptr<Puller> make_builtin_puller(const std::string& module, nlohmann::json settings) {
  ComponentEnv env;
  env.client_id = "acme";
  env.passenger = "test.passenger";
  return builtin_registry()->make_puller(ComponentRef{module, std::move(settings)}, env);
}

void PullerConformanceTest::SetUp() {
  source_ = GetParam().make();
  if (!source_) GTEST_SKIP() << "no " << GetParam().name << " source here (run through ctest)";
}

TEST_P(PullerConformanceTest, HandsOverTheFirstPassengerBeforeReadingTheLastItem) {
  constexpr int n = 6;
  source_->fill(n);
  Drive drive;
  bool withdrawn = false;
  std::optional<int> read_at_first;
  const Pulled got = pull_once(*source_, drive.ctx(), 1000, kNoLimit, [&](std::size_t count) {
    if (count != 1) return;
    read_at_first = source_->items_read();
    withdrawn = source_->withdraw_last(n);
  });

  if (!withdrawn && !read_at_first) {
    GTEST_SKIP() << GetParam().name << " reads its source whole (one response)";
  }
  if (withdrawn) {
    // Item n was still unread when item 1 was handed over.
    EXPECT_THAT(got.ids, ElementsAreArray(ids_of(*source_, 1, n - 1)));
  } else {
    EXPECT_LT(*read_at_first, n) << "the whole source was read before the first passenger";
    EXPECT_THAT(got.ids, ElementsAreArray(ids_of(*source_, 1, n)));
  }
}

TEST_P(PullerConformanceTest, NotifyDuringThePullLosesNothingAndRepeatsNothing) {
  constexpr int n = 7;
  source_->fill(n);
  Drive drive;
  const Pulled got = pull_once(*source_, drive.ctx(), 3, kNoLimit);

  // Every item once, in order, although notify() retired 1..6 meanwhile.
  EXPECT_THAT(got.ids, ElementsAreArray(ids_of(*source_, 1, n)));
  EXPECT_THAT(got.notified, ElementsAreArray(ids_of(*source_, 1, 6)));
  // The next drive gets what was not notified, and only that.
  std::unique_ptr<Puller> next = source_->make_puller();
  EXPECT_THAT(pulled_ids(*next, drive.ctx()), ElementsAreArray(ids_of(*source_, n, n)));
}

TEST_P(PullerConformanceTest, DoneStopsThePullAndTakesNothing) {
  constexpr int n = 5;
  source_->fill(n);
  Drive drive;
  const Pulled got = pull_once(*source_, drive.ctx(), 1000, 2);

  EXPECT_THAT(got.ids, ElementsAreArray(ids_of(*source_, 1, 2)));
  EXPECT_THAT(got.notified, IsEmpty());
  // Nothing was notified: the next drive gets everything.
  std::unique_ptr<Puller> next = source_->make_puller();
  EXPECT_THAT(pulled_ids(*next, drive.ctx()), ElementsAreArray(ids_of(*source_, 1, n)));
}

TEST_P(PullerConformanceTest, PeekTakesNothing) {
  constexpr int n = 3;
  source_->fill(n);
  Drive drive;
  std::unique_ptr<Puller> peeker = source_->make_puller();
  std::vector<std::string> peeked;
  for (const Passenger& p : peeker->peek(drive.ctx())) peeked.push_back(p.external_id);
  EXPECT_THAT(peeked, ElementsAreArray(ids_of(*source_, 1, n)));
  std::unique_ptr<Puller> next = source_->make_puller();
  EXPECT_THAT(pulled_ids(*next, drive.ctx()), ElementsAreArray(ids_of(*source_, 1, n)));
}

}  // namespace databus::testing_support
