#include "dispatcher/safe_observer.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace databus::dispatch {
namespace {

class ThrowingObserver : public DispatcherObserver {
 public:
  int calls = 0;
  void drive_passenger_complete(const std::string&, const std::string&, const Log&) override {
    fail();
  }
  void drive_started(const std::string&, const std::string&) override { fail(); }
  void passenger_seated(const std::string&, const QueueEntry&) override { fail(); }
  void passenger_pushed(const std::string&, const QueueEntry&, const std::string&) override {
    fail();
  }
  void step_failed(const std::string&, const std::string&, const std::string&, const QueueEntry*,
                   const std::string&) override {
    fail();
  }
  void paused() override { fail(); }
  void resumed() override { fail(); }
  void shutting_down() override { throw 42; }  // Not even an std::exception.
  void export_begin(const std::string&) override { fail(); }
  void export_end(const std::string&, bool, const std::string&) override { fail(); }

 private:
  void fail() {
    ++calls;
    throw std::runtime_error("observer failure for the test");
  }
};

void call_every_event(DispatcherObserver& o) {
  const Log log;
  const QueueEntry entry;
  o.drive_passenger_complete("c", "p", log);
  o.drive_started("c", "p");
  o.passenger_seated("c", entry);
  o.passenger_pushed("c", entry, "pusher");
  o.step_failed("c", "p", "module", nullptr, "error");
  o.paused();
  o.resumed();
  o.shutting_down();
  o.export_begin("c");
  o.export_end("c", false, "error");
}

TEST(SafeObserverTest, SwallowsWhatTheObserverThrows) {
  auto inner = std::make_shared<ThrowingObserver>();
  SafeObserver safe(inner);
  EXPECT_NO_THROW(call_every_event(safe));
  EXPECT_EQ(inner->calls, 9);  // Every event reached the observer.
}

TEST(SafeObserverTest, NullObserverIsANoOp) {
  SafeObserver safe(nullptr);
  EXPECT_NO_THROW(call_every_event(safe));
}

}  // namespace
}  // namespace databus::dispatch
