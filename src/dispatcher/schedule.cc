#include "dispatcher/schedule.h"

#include <algorithm>

namespace databus::dispatch {

Clock::duration drive_interval(const ClientPassenger& passenger) {
  return passenger.drive_interval();
}

void Schedule::configure(const std::string& client_id,
                         const std::vector<ClientPassenger>& passengers, TimePoint now) {
  std::lock_guard lock(mu_);
  std::set<std::string> names;
  for (const ClientPassenger& p : passengers) {
    names.insert(p.name);
    auto [it, inserted] = records_.try_emplace(Key{client_id, p.name});
    Record& r = it->second;
    if (inserted) r.first_seen = now;
    r.interval = drive_interval(p);
    r.configured = true;
  }
  for (auto it = records_.lower_bound(Key{client_id, ""});
       it != records_.end() && it->first.first == client_id;) {
    if (names.contains(it->first.second)) {
      ++it;
    } else if (it->second.running) {
      it->second.configured = false;  // Forgotten once its drive ends.
      ++it;
    } else {
      it = records_.erase(it);
    }
  }
}

void Schedule::retain_clients(const std::set<std::string>& client_ids) {
  std::lock_guard lock(mu_);
  for (auto it = records_.begin(); it != records_.end();) {
    if (client_ids.contains(it->first.first)) {
      ++it;
    } else if (it->second.running) {
      it->second.configured = false;
      ++it;
    } else {
      it = records_.erase(it);
    }
  }
}

void Schedule::expedite(const Key& key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = records_.try_emplace(key);
  if (inserted) it->second.first_seen = now;
  it->second.expedited = true;
}

TimePoint Schedule::next_due(const Record& r) {
  if (r.expedited || !r.last_start) return r.first_seen;
  return *r.last_start + r.interval;
}

bool Schedule::claim(const Key& key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return false;
  Record& r = it->second;
  if (!r.configured || r.running) return false;
  const bool due = r.expedited || !r.last_start || now - *r.last_start >= r.interval;
  if (!due) return false;
  r.running = true;
  return true;
}

void Schedule::acquire(const Key& key) {
  std::unique_lock lock(mu_);
  freed_.wait(lock, [&] {
    auto it = records_.find(key);
    return it == records_.end() || !it->second.running;
  });
  auto [it, inserted] = records_.try_emplace(key);
  if (inserted) it->second.first_seen = Clock::now();
  it->second.running = true;
}

void Schedule::started(const Key& key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return;
  it->second.last_start = now;
  it->second.expedited = false;
}

void Schedule::finished(const Key& key, TimePoint now, LogType worst_type) {
  {
    std::lock_guard lock(mu_);
    auto it = records_.find(key);
    if (it != records_.end()) {
      it->second.running = false;
      it->second.last_end = now;
      it->second.last_worst_type = worst_type;
    }
  }
  freed_.notify_all();
}

void Schedule::release(const Key& key) {
  {
    std::lock_guard lock(mu_);
    auto it = records_.find(key);
    if (it != records_.end()) it->second.running = false;
  }
  freed_.notify_all();
}

bool Schedule::running(const Key& key) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  return it != records_.end() && it->second.running;
}

int Schedule::running_count() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(records_.begin(), records_.end(),
                                        [](const auto& kv) { return kv.second.running; }));
}

std::vector<PassengerSchedule> Schedule::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<PassengerSchedule> out;
  out.reserve(records_.size());
  for (const auto& [key, r] : records_) {
    PassengerSchedule s;
    s.client_id = key.first;
    s.passenger = key.second;
    s.last_drive_start = r.last_start;
    s.last_drive_end = r.last_end;
    s.last_worst_type = r.last_worst_type;
    s.next_due = next_due(r);
    s.running = r.running;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace databus::dispatch
