// EntryIndex, its querying side: filters, pages, counts and the purge's
// list. See entry_index.h.
#include <algorithm>
#include <compare>

#include "storage/entry_index.h"

namespace databus {

struct EntryIndex::Prepared {
  explicit Prepared(const EntryQuery& query) : q(query) {}

  const EntryQuery& q;
  bool none = false;                       // A name the query asks for was never indexed.
  std::uint32_t passenger_module = kNone;  // kNone: any.
  std::uint32_t puller_module = kNone;
  std::optional<std::int64_t> pulled_before;
  std::optional<std::int64_t> due_by;
  std::int64_t waiting_after = 0;            // The filter `waiting`: due after this.
  std::optional<std::int64_t> after_pulled;  // The cursor.
  std::optional<Uuid> after_id;              // Its id, unless kept as text.
  std::vector<char> source_matches;          // By code: the name contains q.search.
};

namespace {

std::int64_t ticks(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

EntryIndex::Prepared EntryIndex::prepare(const EntryQuery& q) const {
  Prepared p(q);
  if (!q.passenger_module.empty()) {
    p.passenger_module = code_if_known(q.passenger_module);
    p.none = p.passenger_module == kNone;
  }
  if (!q.puller_module.empty()) {
    p.puller_module = code_if_known(q.puller_module);
    p.none = p.none || p.puller_module == kNone;
  }
  if (q.pulled_before) p.pulled_before = ticks(*q.pulled_before);
  if (q.due_by) p.due_by = ticks(*q.due_by);
  p.waiting_after = ticks(q.due_by.value_or(Clock::now()));
  if (q.after) {
    p.after_pulled = ticks(q.after->pull_datetime);
    p.after_id = parse_id(q.after->internal_id);
  }
  if (!q.search.empty()) {
    p.source_matches.resize(names_.size());
    for (std::size_t c = 0; c < names_.size(); ++c) {
      p.source_matches[c] = names_[c].find(q.search) != std::string::npos;
    }
  }
  return p;
}

bool EntryIndex::matches(const Row& r, std::uint32_t row, const Prepared& p) const {
  const EntryQuery& q = p.q;
  if (p.passenger_module != kNone && r.passenger_module != p.passenger_module) return false;
  if (p.puller_module != kNone && r.puller_module != p.puller_module) return false;
  if (p.pulled_before && !(r.pulled < *p.pulled_before)) return false;
  if (p.after_pulled) {
    std::strong_ordering order = r.pulled <=> *p.after_pulled;
    if (order == 0) {
      order = p.after_id && (r.flags & kTextId) == 0 ? r.id <=> *p.after_id
                                                     : id_text(row) <=> q.after->internal_id;
    }
    if (q.newest_first ? order >= 0 : order <= 0) return false;
  }
  const bool complete = r.complete();
  const bool has_due = (r.flags & kHasDue) != 0;
  const bool due = !p.due_by || (has_due && r.due <= *p.due_by);
  switch (q.filter) {
    case EntryFilter::all:
      break;
    case EntryFilter::unnotified:
      if ((r.flags & kNotified) != 0) return false;
      break;
    case EntryFilter::processing_due:
      if ((r.flags & kProcessorsComplete) != 0 || !due) return false;
      break;
    case EntryFilter::push_due:
      if ((r.flags & kProcessorsComplete) == 0 || (r.flags & kPushersComplete) != 0 || !due) {
        return false;
      }
      break;
    case EntryFilter::failing:
      if (complete || (r.flags & kFailing) == 0) return false;
      break;
    case EntryFilter::waiting:
      if (complete || (r.flags & kFailing) == 0 || (has_due && r.due <= p.waiting_after)) {
        return false;
      }
      break;
    case EntryFilter::quarantined:
      if (complete || (r.flags & kQuarantined) == 0) return false;
      break;
    case EntryFilter::incomplete:
      if (complete) return false;
      break;
    case EntryFilter::complete:
      if (!complete) return false;
      break;
  }
  if (!q.search.empty() && r.external_id.view().find(q.search) == std::string_view::npos &&
      !p.source_matches[r.source_system] && id_text(row).find(q.search) == std::string::npos) {
    return false;
  }
  return true;
}

template <typename Visit>
void EntryIndex::candidates(const Prepared& p, Visit visit) const {
  if (p.none) return;
  const EntryFilter filter = p.q.filter;
  auto each = [&](std::uint32_t row) {
    if (matches(rows_[row], row, p)) visit(row);
  };
  if (p.due_by && (filter == EntryFilter::processing_due || filter == EntryFilter::push_due)) {
    for (const auto& [due, row] : due_) {
      if (*p.due_by < due) break;
      each(row);
    }
  } else if (filter == EntryFilter::unnotified) {
    // A drive's notify step: waiting or quarantined entries cost it nothing.
    for (std::uint32_t row : unnotified_) each(row);
  } else if (filter != EntryFilter::all && filter != EntryFilter::complete) {
    for (std::uint32_t row : incomplete_) each(row);
  } else {
    // Complete entries are the bulk: a list of them would cost memory for
    // every entry; they are met by walking the rows, which are contiguous.
    for (std::size_t row = 0; row < rows_.size(); ++row) {
      if ((rows_[row].flags & kFree) == 0) each(static_cast<std::uint32_t>(row));
    }
  }
}

std::vector<std::string> EntryIndex::select(const EntryQuery& query) const {
  const Prepared p = prepare(query);
  std::vector<std::uint32_t> hits;
  candidates(p, [&](std::uint32_t row) { hits.push_back(row); });
  auto older = [this](std::uint32_t a, std::uint32_t b) {
    if (rows_[a].pulled != rows_[b].pulled) return rows_[a].pulled < rows_[b].pulled;
    return id_less(a, b);
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
    sort([&](std::uint32_t a, std::uint32_t b) { return older(b, a); });
  } else {
    sort(older);
  }
  std::vector<std::string> ids;
  for (std::size_t i = query.offset; i < end && ids.size() < query.limit; ++i) {
    ids.push_back(id_text(hits[i]));
  }
  return ids;
}

std::size_t EntryIndex::count(const EntryQuery& query) const {
  std::size_t n = 0;
  candidates(prepare(query), [&](std::uint32_t) { ++n; });
  return n;
}

std::vector<std::string> EntryIndex::complete_before(std::string_view passenger_module,
                                                     TimePoint before) const {
  EntryQuery query;
  query.passenger_module = passenger_module;
  query.filter = EntryFilter::complete;
  query.pulled_before = before;
  std::vector<std::uint32_t> rows;
  candidates(prepare(query), [&](std::uint32_t row) { rows.push_back(row); });
  std::sort(rows.begin(), rows.end(), [this](auto a, auto b) { return id_less(a, b); });
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (std::uint32_t row : rows) ids.push_back(id_text(row));
  return ids;
}

}  // namespace databus
