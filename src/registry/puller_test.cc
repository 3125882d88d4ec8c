// Puller's default pull forms (databus/puller.h): each is built on the
// other, and a puller that overrides neither gets a clear error.
#include "databus/puller.h"

#include <gtest/gtest.h>

#include "databus/error.h"

namespace databus {
namespace {

class RecordingSink : public PassengerSink {
 public:
  void put(Passenger passenger) override { ids.push_back(passenger.external_id); }
  bool done() const override { return limit != 0 && ids.size() >= limit; }
  std::vector<std::string> ids;
  std::size_t limit = 0;
};

Passenger passenger(const std::string& external_id) {
  Passenger p;
  p.external_id = external_id;
  return p;
}

class VectorPuller : public Puller {
 public:
  std::vector<Passenger> pull(DriveContext&) override {
    return {passenger("a"), passenger("b"), passenger("c")};
  }
  void notify(DriveContext&, const std::vector<Passenger>&) override {}
};

class StreamingPuller : public Puller {
 public:
  void pull_into(DriveContext&, PassengerSink& sink) override {
    for (const char* id : {"x", "y"}) {
      if (sink.done()) return;
      sink.put(passenger(id));
    }
  }
  void notify(DriveContext&, const std::vector<Passenger>&) override {}
};

class NeitherPuller : public Puller {
 public:
  void notify(DriveContext&, const std::vector<Passenger>&) override {}
};

class PullerDefaultsTest : public testing::Test {
 protected:
  ClientPassenger client_passenger_;
  Log log_;
  DriveContext ctx_{"c", client_passenger_, log_, [] { return Passenger{}; }};
};

TEST_F(PullerDefaultsTest, TheStreamingDefaultHandsOverWhatTheVectorFormReturnsInOrder) {
  VectorPuller puller;
  RecordingSink sink;
  static_cast<Puller&>(puller).pull_into(ctx_, sink);
  EXPECT_EQ(sink.ids, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(PullerDefaultsTest, TheStreamingDefaultStopsWhenTheSinkIsDone) {
  VectorPuller puller;
  RecordingSink sink;
  sink.limit = 2;
  static_cast<Puller&>(puller).pull_into(ctx_, sink);
  EXPECT_EQ(sink.ids, (std::vector<std::string>{"a", "b"}));
}

TEST_F(PullerDefaultsTest, TheVectorDefaultCollectsWhatTheStreamingFormHandsOver) {
  StreamingPuller puller;
  std::vector<Passenger> got = static_cast<Puller&>(puller).pull(ctx_);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].external_id, "x");
  EXPECT_EQ(got[1].external_id, "y");
}

TEST_F(PullerDefaultsTest, APullerOverridingNeitherFormGetsAnErrorNotEndlessRecursion) {
  NeitherPuller puller;
  RecordingSink sink;
  EXPECT_THROW(static_cast<Puller&>(puller).pull(ctx_), Error);
  EXPECT_THROW(static_cast<Puller&>(puller).pull_into(ctx_, sink), Error);
  // The guard is left clean: another puller's default still works after.
  VectorPuller other;
  static_cast<Puller&>(other).pull_into(ctx_, sink);
  EXPECT_EQ(sink.ids.size(), 3u);
}

}  // namespace
}  // namespace databus
