#include "components/peek.h"

namespace databus {

namespace {

class FirstPassengers : public PassengerSink {
 public:
  FirstPassengers(std::vector<Passenger>& out, std::size_t limit) : out_(out), limit_(limit) {}
  void put(Passenger passenger) override {
    if (out_.size() < limit_) out_.push_back(std::move(passenger));
  }
  bool done() const override { return out_.size() >= limit_; }

 private:
  std::vector<Passenger>& out_;
  std::size_t limit_;
};

}  // namespace

std::vector<Passenger> peek_first(Puller& puller, DriveContext& ctx, std::size_t limit) {
  std::vector<Passenger> first;
  FirstPassengers sink(first, limit);
  puller.pull_into(ctx, sink);
  return first;
}

}  // namespace databus
