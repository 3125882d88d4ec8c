#include "dispatcher/cluster_node.h"

#include <unistd.h>

#include <algorithm>

#include "databus/database_wrapper.h"
#include "databus/error.h"
#include "databus/uuid.h"
#include "databus/version.h"
#include "logging/process_log.h"

namespace databus::dispatch {
namespace {

using Steady = std::chrono::steady_clock;

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown-host";
  return buffer;
}

// What the holder subtracts from the lease period for its own deadline.
Clock::duration margin(Clock::duration period) { return period / 5; }

// Marks its lease lost when a fenced write finds it gone.
class LeaseGuard : public DatabaseWrapper {
 public:
  LeaseGuard(std::unique_ptr<Database> fenced, HeldLease& held)
      : DatabaseWrapper(std::move(fenced)), held_(held) {}

  void insert_entries(const std::string& c, std::span<const QueueEntry> entries) override {
    guarded([&] { DatabaseWrapper::insert_entries(c, entries); });
  }
  std::vector<std::size_t> seat_entries(const std::string& c,
                                        std::span<const QueueEntry> entries) override {
    std::vector<std::size_t> skipped;
    guarded([&] { skipped = DatabaseWrapper::seat_entries(c, entries); });
    return skipped;
  }
  void update_entries(const std::string& c, std::span<const QueueEntry> entries,
                      SaveScope scope) override {
    guarded([&] { DatabaseWrapper::update_entries(c, entries, scope); });
  }
  std::size_t delete_complete_entries(const std::string& c, const std::string& module,
                                      TimePoint before) override {
    std::size_t n = 0;
    guarded([&] { n = DatabaseWrapper::delete_complete_entries(c, module, before); });
    return n;
  }

 private:
  template <typename F>
  void guarded(F&& f) {
    try {
      f();
    } catch (const LeaseLostError&) {
      held_.mark_lost();
      throw;
    }
  }
  HeldLease& held_;
};

}  // namespace

// --- HeldLease ---------------------------------------------------------------------

HeldLease::HeldLease(ClusterNode& node, Lease lease, Steady::time_point sent)
    : node_(node),
      lease_(std::move(lease)),
      deadline_(
          (sent + std::chrono::duration_cast<Steady::duration>(node.period_ - margin(node.period_)))
              .time_since_epoch()
              .count()),
      renew_at_(sent + std::chrono::duration_cast<Steady::duration>(node.period_ / 3)) {}

HeldLease::~HeldLease() {
  {
    std::lock_guard lock(node_.mu_);
    node_.held_.erase(this);
  }
  try {
    node_.coordination_.release(lease_);
  } catch (const std::exception& e) {
    // The lease expires by itself; another node takes it over then.
    process_log::warning("cluster") << "cannot release the lease on client '" << lease_.client_id
                                    << "', passenger '" << lease_.passenger << "': " << e.what();
  }
}

bool HeldLease::lost() const {
  return lost_.load() || Steady::now().time_since_epoch().count() > deadline_.load();
}

Database& HeldLease::database(Database& base) {
  if (!view_) {
    view_ = std::make_unique<LeaseGuard>(node_.coordination_.fenced(base, lease_), *this);
  }
  return *view_;
}

// --- ClusterNode -------------------------------------------------------------------

ClusterNode::ClusterNode(Coordination& coordination, Clock::duration lease_period,
                         TimePoint started)
    : coordination_(coordination),
      period_(lease_period),
      id_(host_name() + "-" + std::to_string(getpid()) + "-" + new_uuid().substr(28, 8)),
      info_{id_, host_name(), static_cast<std::int64_t>(getpid()), kVersion, started} {
  if (period_ <= Clock::duration::zero()) throw StateError("the lease period must be positive");
  keeper_ = std::thread([this] { keep(); });
}

ClusterNode::~ClusterNode() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  keeper_.join();
  try {
    coordination_.leave(id_);
  } catch (const std::exception& e) {
    process_log::warning("cluster")
        << "node " << id_ << " could not leave the cluster: " << e.what();
  }
}

std::unique_ptr<HeldLease> ClusterNode::hold(Lease lease, Steady::time_point sent) {
  std::unique_ptr<HeldLease> held(new HeldLease(*this, std::move(lease), sent));
  std::lock_guard lock(mu_);
  held_.insert(held.get());
  return held;
}

std::vector<std::unique_ptr<HeldLease>> ClusterNode::claim_due(std::size_t max) {
  const Steady::time_point sent = Steady::now();
  std::vector<std::unique_ptr<HeldLease>> out;
  for (Lease& lease : coordination_.claim_due(id_, max, period_)) {
    out.push_back(hold(std::move(lease), sent));
  }
  return out;
}

std::unique_ptr<HeldLease> ClusterNode::claim(const std::string& client_id,
                                              const std::string& passenger,
                                              Clock::duration interval, bool drive,
                                              std::chrono::milliseconds wait,
                                              const std::function<bool()>& stop) {
  const Steady::time_point until =
      wait == std::chrono::milliseconds::max() ? Steady::time_point::max() : Steady::now() + wait;
  for (;;) {
    const Steady::time_point sent = Steady::now();
    std::optional<Lease> lease =
        coordination_.claim(id_, client_id, passenger, interval, period_, drive);
    if (lease) return hold(std::move(*lease), sent);
    if (Steady::now() >= until || (stop && stop())) return nullptr;
    const auto pause =
        std::min<Steady::duration>(std::chrono::milliseconds(200), until - Steady::now());
    std::this_thread::sleep_for(pause);
  }
}

ClusterOrders ClusterNode::heartbeat(int drives_running, bool paused) {
  NodeInfo self = info_;
  self.drives_running = drives_running;
  self.paused = paused;
  return coordination_.heartbeat(self);
}

void ClusterNode::keep() {
  // Often enough that a lost lease is noticed well within its margin.
  const auto tick = std::clamp<Clock::duration>(period_ / 10, std::chrono::milliseconds(10),
                                                std::chrono::milliseconds(500));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, tick, [this] { return stopping_; });
    if (stopping_) break;
    for (HeldLease* held : held_) {
      if (held->lost_.load()) continue;
      const Steady::time_point now = Steady::now();
      if (now.time_since_epoch().count() > held->deadline_.load()) {
        held->lost_ = true;  // Not renewed in time: the holder stops.
        continue;
      }
      if (now < held->renew_at_) continue;
      // Under mu_: a HeldLease is not destroyed while it is renewed (its
      // destructor takes mu_). A renewal is one short statement.
      Lease copy = held->lease_;
      bool renewed = false;
      try {
        renewed = coordination_.renew(copy, period_);
      } catch (const std::exception& e) {
        // The database cannot be reached: try again at the next tick; the
        // deadline decides when the holder must stop.
        process_log::warning("cluster") << "cannot renew the lease on client '" << copy.client_id
                                        << "', passenger '" << copy.passenger << "': " << e.what();
        held->renew_at_ = now + std::chrono::duration_cast<Steady::duration>(tick);
        continue;
      }
      if (!renewed) {
        held->lost_ = true;
        continue;
      }
      held->lease_.expires = copy.expires;
      held->deadline_ =
          (now + std::chrono::duration_cast<Steady::duration>(period_ - margin(period_)))
              .time_since_epoch()
              .count();
      held->renew_at_ = now + std::chrono::duration_cast<Steady::duration>(period_ / 3);
    }
  }
}

}  // namespace databus::dispatch
