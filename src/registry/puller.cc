// Puller's two default pull forms (databus/puller.h): each is written in
// terms of the other, and a puller overriding neither gets an Error instead
// of endless recursion.
#include "databus/puller.h"

#include "databus/error.h"

namespace databus {

namespace {

// The puller whose default pull form is running on this thread, if any.
thread_local const Puller* in_default_pull = nullptr;

class DefaultPullScope {
 public:
  explicit DefaultPullScope(const Puller* puller) {
    if (in_default_pull == puller) {
      throw Error("the puller overrides neither pull(ctx) nor pull_into(ctx, sink)");
    }
    outer_ = in_default_pull;
    in_default_pull = puller;
  }
  ~DefaultPullScope() { in_default_pull = outer_; }
  DefaultPullScope(const DefaultPullScope&) = delete;
  DefaultPullScope& operator=(const DefaultPullScope&) = delete;

 private:
  const Puller* outer_ = nullptr;
};

class CollectingSink : public PassengerSink {
 public:
  explicit CollectingSink(std::vector<Passenger>& out) : out_(out) {}
  void put(Passenger passenger) override { out_.push_back(std::move(passenger)); }

 private:
  std::vector<Passenger>& out_;
};

}  // namespace

void Puller::pull_into(DriveContext& ctx, PassengerSink& sink) {
  std::vector<Passenger> all;
  {
    DefaultPullScope scope(this);
    all = pull(ctx);
  }
  // Outside the scope: put() may seat and call notify(), which may pull.
  for (Passenger& passenger : all) {
    if (sink.done()) break;
    sink.put(std::move(passenger));
  }
}

std::vector<Passenger> Puller::pull(DriveContext& ctx) {
  DefaultPullScope scope(this);
  std::vector<Passenger> all;
  CollectingSink sink(all);
  pull_into(ctx, sink);
  return all;
}

}  // namespace databus
