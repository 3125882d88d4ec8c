#include "storage/entry_index.h"

#include <algorithm>

namespace databus {

EntrySummary EntrySummary::of(const QueueEntry& entry) {
  const Passenger& p = entry.passenger;
  EntrySummary s;
  s.internal_id = p.internal_id;
  s.external_id = p.external_id;
  s.source_system = p.source_system;
  s.passenger_module = p.passenger_module;
  s.puller_module = p.puller_module;
  s.pull_datetime = p.pull_datetime;
  s.take_states(entry);
  return s;
}

void EntrySummary::take_states(const QueueEntry& entry) {
  notified = entry.puller_notified;
  processors_complete = entry.processors_complete();
  pushers_complete = !entry.has_incomplete_pusher();
  due_at = entry.due_at();
  failing = entry.failing();
  quarantined = entry.quarantined();
}

bool EntrySummary::matches(const EntryQuery& q) const {
  if (!q.passenger_module.empty() && passenger_module != q.passenger_module) return false;
  if (!q.puller_module.empty() && puller_module != q.puller_module) return false;
  if (q.pulled_before && !(pull_datetime < *q.pulled_before)) return false;
  if (q.after) {
    const auto here = std::tie(pull_datetime, internal_id);
    const auto cursor = std::tie(q.after->pull_datetime, q.after->internal_id);
    if (q.newest_first ? !(here < cursor) : !(cursor < here)) return false;
  }
  switch (q.filter) {
    case EntryFilter::all:
      break;
    case EntryFilter::unnotified:
      if (notified) return false;
      break;
    case EntryFilter::processing_due:
      if (processors_complete) return false;
      if (q.due_by && !(due_at && *due_at <= *q.due_by)) return false;
      break;
    case EntryFilter::push_due:
      if (!processors_complete || pushers_complete) return false;
      if (q.due_by && !(due_at && *due_at <= *q.due_by)) return false;
      break;
    case EntryFilter::failing:
      if (complete() || !failing) return false;
      break;
    case EntryFilter::waiting:
      if (complete() || !failing || (due_at && *due_at <= q.due_by.value_or(Clock::now()))) {
        return false;
      }
      break;
    case EntryFilter::quarantined:
      if (complete() || !quarantined) return false;
      break;
    case EntryFilter::incomplete:
      if (complete()) return false;
      break;
    case EntryFilter::complete:
      if (!complete()) return false;
      break;
  }
  if (!q.search.empty() && external_id.find(q.search) == std::string::npos &&
      source_system.find(q.search) == std::string::npos &&
      internal_id.find(q.search) == std::string::npos) {
    return false;
  }
  return true;
}

std::size_t EntryIndex::KeyHash::operator()(const KeyView& key) const {
  std::hash<std::string_view> hash;
  std::size_t h = hash(std::get<0>(key));
  h = h * 31 + hash(std::get<1>(key));
  return h * 31 + hash(std::get<2>(key));
}

EntryIndex::Placement EntryIndex::placement_of(const EntrySummary& s) {
  Placement p;
  p.complete = s.complete();
  p.unnotified = !p.complete && !s.notified;
  if (!p.complete) p.due = s.due_at;
  return p;
}

void EntryIndex::place(const EntrySummary& s, const std::optional<Placement>& before) {
  const Placement now = placement_of(s);
  // Only what changed: a status write that changes none of these (most of
  // a drive's) touches no set.
  if (!before || before->complete != now.complete) {
    if (before) (before->complete ? complete_ : incomplete_).erase(&s);
    (now.complete ? complete_ : incomplete_).insert(&s);
  }
  if ((before && before->unnotified) != now.unnotified) {
    if (now.unnotified) {
      unnotified_.insert(&s);
    } else {
      unnotified_.erase(&s);
    }
  }
  const std::optional<TimePoint> was_due = before ? before->due : std::nullopt;
  if (was_due != now.due) {
    if (was_due) due_.erase({*was_due, &s});
    if (now.due) due_.emplace(*now.due, &s);
  }
}

void EntryIndex::insert(EntrySummary summary) {
  const std::string id = summary.internal_id;
  const EntrySummary& s = entries_.emplace(id, std::move(summary)).first->second;
  keys_[key_of(s)].push_back(&s);
  place(s, std::nullopt);
}

void EntryIndex::put(EntrySummary summary) {
  auto it = entries_.find(summary.internal_id);
  if (it == entries_.end()) return insert(std::move(summary));
  EntrySummary& old = it->second;
  if (key_of(old) != key_of(summary)) {
    erase(summary.internal_id);
    return insert(std::move(summary));
  }
  // Same key: the key's strings stay where keys_ points.
  const Placement before = placement_of(old);
  old.puller_module = std::move(summary.puller_module);
  old.pull_datetime = summary.pull_datetime;
  old.notified = summary.notified;
  old.processors_complete = summary.processors_complete;
  old.pushers_complete = summary.pushers_complete;
  old.due_at = summary.due_at;
  old.failing = summary.failing;
  old.quarantined = summary.quarantined;
  place(old, before);
}

void EntryIndex::put(const QueueEntry& entry) {
  const Passenger& p = entry.passenger;
  auto it = entries_.find(p.internal_id);
  if (it == entries_.end() ||
      key_of(it->second) != KeyView{p.passenger_module, p.source_system, p.external_id}) {
    return put(EntrySummary::of(entry));
  }
  EntrySummary& old = it->second;
  const Placement before = placement_of(old);
  old.puller_module = p.puller_module;  // Equal lengths reuse the buffer.
  old.pull_datetime = p.pull_datetime;
  old.take_states(entry);
  place(old, before);
}

bool EntryIndex::erase(const std::string& internal_id) {
  auto it = entries_.find(internal_id);
  if (it == entries_.end()) return false;
  const EntrySummary* s = &it->second;
  auto key = keys_.find(key_of(*s));
  if (key != keys_.end()) {
    std::erase(key->second, s);
    if (key->second.empty()) {
      keys_.erase(key);
    } else if (std::get<2>(key->first).data() == s->external_id.data()) {
      // The key viewed the erased holder's strings: view another's.
      auto node = keys_.extract(key);
      node.key() = key_of(*node.mapped().front());
      keys_.insert(std::move(node));
    }
  }
  if (const std::optional<TimePoint> due = placement_of(*s).due) due_.erase({*due, s});
  incomplete_.erase(s);
  unnotified_.erase(s);
  complete_.erase(s);
  entries_.erase(it);
  return true;
}

void EntryIndex::clear() {
  keys_.clear();
  due_.clear();
  incomplete_.clear();
  unnotified_.clear();
  complete_.clear();
  entries_.clear();
}

const EntrySummary* EntryIndex::find(const std::string& internal_id) const {
  auto it = entries_.find(internal_id);
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<std::string> EntryIndex::find_key(const std::string& passenger_module,
                                                const std::string& source_system,
                                                const std::string& external_id) const {
  auto it = keys_.find(KeyView{passenger_module, source_system, external_id});
  if (it == keys_.end() || it->second.empty()) return std::nullopt;
  // The smallest id when several entries share the key.
  const EntrySummary* first = it->second.front();
  for (const EntrySummary* s : it->second) {
    if (s->internal_id < first->internal_id) first = s;
  }
  return first->internal_id;
}

template <typename Visit>
void EntryIndex::candidates(const EntryQuery& query, Visit visit) const {
  const bool only_incomplete =
      query.filter != EntryFilter::all && query.filter != EntryFilter::complete;
  const bool only_due = query.due_by && (query.filter == EntryFilter::processing_due ||
                                         query.filter == EntryFilter::push_due);
  if (only_due) {
    for (auto& [due, s] : due_) {
      if (*query.due_by < due) break;
      if (s->matches(query)) visit(*s);
    }
  } else if (query.filter == EntryFilter::unnotified || query.filter == EntryFilter::complete) {
    // A drive's notify step and purge: waiting or quarantined entries cost them nothing.
    for (const EntrySummary* s : query.filter == EntryFilter::complete ? complete_ : unnotified_) {
      if (s->matches(query)) visit(*s);
    }
  } else if (only_incomplete) {
    for (const EntrySummary* s : incomplete_) {
      if (s->matches(query)) visit(*s);
    }
  } else {
    for (const auto& [id, s] : entries_) {
      if (s.matches(query)) visit(s);
    }
  }
}

std::vector<std::string> EntryIndex::select(const EntryQuery& query) const {
  std::vector<const EntrySummary*> hits;
  candidates(query, [&](const EntrySummary& s) { hits.push_back(&s); });
  auto older = [](const EntrySummary* a, const EntrySummary* b) {
    return std::tie(a->pull_datetime, a->internal_id) < std::tie(b->pull_datetime, b->internal_id);
  };
  // Only what the page shows is sorted: a drive walks a large set in pages
  // (EntryQuery::after), each a few thousand entries of it.
  const std::size_t end = query.offset < hits.size() && query.limit < hits.size() - query.offset
                              ? query.offset + query.limit
                              : hits.size();
  auto sort = [&](auto order) {
    if (end < hits.size()) {
      std::partial_sort(hits.begin(), hits.begin() + end, hits.end(), order);
    } else {
      std::sort(hits.begin(), hits.end(), order);
    }
  };
  if (query.newest_first) {
    sort([&](auto* a, auto* b) { return older(b, a); });
  } else {
    sort(older);
  }
  std::vector<std::string> ids;
  for (std::size_t i = query.offset; i < end && ids.size() < query.limit; ++i) {
    ids.push_back(hits[i]->internal_id);
  }
  return ids;
}

std::size_t EntryIndex::count(const EntryQuery& query) const {
  std::size_t n = 0;
  candidates(query, [&](const EntrySummary&) { ++n; });
  return n;
}

std::vector<std::string> EntryIndex::complete_before(const std::string& passenger_module,
                                                     TimePoint before) const {
  EntryQuery query;
  query.passenger_module = passenger_module;
  query.filter = EntryFilter::complete;
  query.pulled_before = before;
  std::vector<std::string> ids;
  candidates(query, [&](const EntrySummary& s) { ids.push_back(s.internal_id); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace databus
