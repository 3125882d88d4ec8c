// EntryIndex, its writing side: rows, ids, names and the lists entries are
// in by their states. The queries: entry_index_query.cc. See entry_index.h.
#include "storage/entry_index.h"

#include <cstring>
#include <functional>

namespace databus {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // Upper case too: such an id is kept as text, as it was given.
}

// The high half of a 64-bit mix of `x` (the low bits of a multiplication
// are poor).
std::uint32_t mix(std::uint64_t x) {
  x ^= x >> 31;
  x *= 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  return static_cast<std::uint32_t>(x >> 32);
}

}  // namespace

struct EntryIndex::Fields {
  std::string_view internal_id, external_id, source_system, passenger_module, puller_module;
  std::int64_t pulled = 0;
  std::uint8_t states = 0;  // Row flags kNotified to kHasDue.
  std::int64_t due = 0;     // When kHasDue.

  static Fields of(const EntrySummary& s) {
    Fields f{s.internal_id, s.external_id, s.source_system, s.passenger_module, s.puller_module};
    f.set(s.pull_datetime, s.notified, s.processors_complete, s.pushers_complete, s.due_at,
          s.failing, s.quarantined);
    return f;
  }
  static Fields of(const QueueEntry& e) {
    const Passenger& p = e.passenger;
    Fields f{p.internal_id, p.external_id, p.source_system, p.passenger_module, p.puller_module};
    f.set(p.pull_datetime, e.puller_notified, e.processors_complete(), !e.has_incomplete_pusher(),
          e.due_at(), e.failing(), e.quarantined());
    return f;
  }
  void set(TimePoint pull_datetime, bool notified, bool processors_complete, bool pushers_complete,
           std::optional<TimePoint> due_at, bool failing, bool quarantined) {
    pulled = pull_datetime.time_since_epoch().count();
    states = static_cast<std::uint8_t>(
        (notified ? kNotified : 0) | (processors_complete ? kProcessorsComplete : 0) |
        (pushers_complete ? kPushersComplete : 0) | (failing ? kFailing : 0) |
        (quarantined ? kQuarantined : 0) | (due_at ? kHasDue : 0));
    if (due_at) due = due_at->time_since_epoch().count();
  }
};

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

EntryIndex::PackedText::PackedText(std::string_view text) {
  if (text.empty()) return;
  const auto length = static_cast<std::uint32_t>(text.size());
  bytes_ = std::make_unique_for_overwrite<char[]>(sizeof length + text.size());
  std::memcpy(bytes_.get(), &length, sizeof length);
  std::memcpy(bytes_.get() + sizeof length, text.data(), text.size());
}

std::string_view EntryIndex::PackedText::view() const {
  if (!bytes_) return {};
  std::uint32_t length = 0;
  std::memcpy(&length, bytes_.get(), sizeof length);
  return {bytes_.get() + sizeof length, length};
}

std::optional<EntryIndex::Uuid> EntryIndex::parse_id(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid id;
  std::size_t at = 0;
  for (std::size_t b = 0; b < id.size(); ++b) {
    if (at == 8 || at == 13 || at == 18 || at == 23) {
      if (text[at++] != '-') return std::nullopt;
    }
    const int high = hex_value(text[at++]);
    const int low = hex_value(text[at++]);
    if (high < 0 || low < 0) return std::nullopt;
    id[b] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return id;
}

std::uint32_t EntryIndex::id_hash(const Uuid& id) {
  std::uint64_t high = 0, low = 0;
  std::memcpy(&high, id.data(), 8);
  std::memcpy(&low, id.data() + 8, 8);
  return mix(low ^ (high * 0xC2B2AE3D27D4EB4Full));
}

std::uint32_t EntryIndex::text_hash(std::string_view text) {
  return mix(std::hash<std::string_view>{}(text));
}

std::uint32_t EntryIndex::key_hash(std::uint32_t passenger_module, std::uint32_t source_system,
                                   std::string_view external_id) const {
  const std::uint64_t codes = (std::uint64_t{passenger_module} << 32) | source_system;
  return mix(std::hash<std::string_view>{}(external_id) ^ (codes * 0xC2B2AE3D27D4EB4Full));
}

std::uint32_t EntryIndex::id_hash_of(std::uint32_t row) const {
  const Row& r = rows_[row];
  return (r.flags & kTextId) != 0 ? text_hash(text_ids_.at(row)) : id_hash(r.id);
}

std::uint32_t EntryIndex::row_of(std::string_view internal_id) const {
  std::uint32_t found = kNone;
  if (const std::optional<Uuid> id = parse_id(internal_id)) {
    ids_.find(id_hash(*id), [&](std::uint32_t row) {
      const Row& r = rows_[row];
      if ((r.flags & kTextId) != 0 || r.id != *id) return false;
      found = row;
      return true;
    });
  } else {
    ids_.find(text_hash(internal_id), [&](std::uint32_t row) {
      if ((rows_[row].flags & kTextId) == 0 || text_ids_.at(row) != internal_id) return false;
      found = row;
      return true;
    });
  }
  return found;
}

std::string EntryIndex::id_text(std::uint32_t row) const {
  const Row& r = rows_[row];
  if ((r.flags & kTextId) != 0) return text_ids_.at(row);
  std::string text;
  text.reserve(36);
  for (std::size_t b = 0; b < r.id.size(); ++b) {
    if (b == 4 || b == 6 || b == 8 || b == 10) text.push_back('-');
    text.push_back(kHex[r.id[b] >> 4]);
    text.push_back(kHex[r.id[b] & 0x0F]);
  }
  return text;
}

bool EntryIndex::id_less(std::uint32_t a, std::uint32_t b) const {
  // Bytes compare as their lower-case hex digits do.
  if (((rows_[a].flags | rows_[b].flags) & kTextId) == 0) return rows_[a].id < rows_[b].id;
  return id_text(a) < id_text(b);
}

std::uint32_t EntryIndex::code(std::string_view name) {
  if (auto it = codes_.find(name); it != codes_.end()) return it->second;
  const std::string& stored = names_.emplace_back(name);  // A deque: views stay valid.
  const auto code = static_cast<std::uint32_t>(names_.size() - 1);
  codes_.emplace(stored, code);
  return code;
}

std::uint32_t EntryIndex::code_if_known(std::string_view name) const {
  auto it = codes_.find(name);
  return it == codes_.end() ? kNone : it->second;
}

void EntryIndex::put(const EntrySummary& summary) { put(Fields::of(summary)); }

void EntryIndex::put(const QueueEntry& entry) { put(Fields::of(entry)); }

void EntryIndex::put(const Fields& f) {
  const std::uint32_t passenger_module = code(f.passenger_module);
  const std::uint32_t source_system = code(f.source_system);
  std::uint32_t row = row_of(f.internal_id);
  if (row == kNone) {
    if (!free_.empty()) {
      row = free_.back();
      free_.pop_back();
    } else {
      row = static_cast<std::uint32_t>(rows_.size());
      rows_.emplace_back();
    }
    Row& r = rows_[row];
    r.flags = 0;
    if (const std::optional<Uuid> id = parse_id(f.internal_id)) {
      r.id = *id;
    } else {
      r.flags = kTextId;
      text_ids_.emplace(row, std::string(f.internal_id));
    }
    ids_.insert(id_hash_of(row), row);
    r.passenger_module = passenger_module;
    r.source_system = source_system;
    r.external_id = PackedText(f.external_id);
    keys_.insert(key_hash_of(r), row);
  } else if (Row& r = rows_[row]; r.passenger_module != passenger_module ||
                                  r.source_system != source_system ||
                                  r.external_id.view() != f.external_id) {
    keys_.erase(key_hash_of(r), row);
    r.passenger_module = passenger_module;
    r.source_system = source_system;
    r.external_id = PackedText(f.external_id);
    keys_.insert(key_hash_of(r), row);
  }
  Row& r = rows_[row];
  r.puller_module = code(f.puller_module);
  r.pulled = f.pulled;
  set_states(row, f);
}

void EntryIndex::list_remove(std::vector<std::uint32_t>& list, std::uint32_t Row::*pos,
                             std::deque<Row>& rows, std::uint32_t row) {
  // The last one takes the removed one's place: O(1), order is not kept.
  const std::uint32_t at = rows[row].*pos;
  const std::uint32_t last = list.back();
  list[at] = last;
  rows[last].*pos = at;
  list.pop_back();
  rows[row].*pos = kNone;
}

void EntryIndex::set_states(std::uint32_t row, const Fields& f) {
  Row& r = rows_[row];
  const bool was_due = r.incomplete_pos != kNone && (r.flags & kHasDue) != 0;
  const std::int64_t old_due = r.due;
  r.flags = static_cast<std::uint8_t>((r.flags & kTextId) | f.states);
  r.due = f.due;
  const bool complete = r.complete();
  const bool due = !complete && (r.flags & kHasDue) != 0;
  // Only what changed: most status writes of a drive touch no list.
  if (was_due && (!due || old_due != r.due)) due_.erase({old_due, row});
  if (due && (!was_due || old_due != r.due)) due_.emplace(r.due, row);
  if (!complete && r.incomplete_pos == kNone) {
    r.incomplete_pos = static_cast<std::uint32_t>(incomplete_.size());
    incomplete_.push_back(row);
  } else if (complete && r.incomplete_pos != kNone) {
    list_remove(incomplete_, &Row::incomplete_pos, rows_, row);
  }
  const bool unnotified = !complete && (r.flags & kNotified) == 0;
  if (unnotified && r.unnotified_pos == kNone) {
    r.unnotified_pos = static_cast<std::uint32_t>(unnotified_.size());
    unnotified_.push_back(row);
  } else if (!unnotified && r.unnotified_pos != kNone) {
    list_remove(unnotified_, &Row::unnotified_pos, rows_, row);
  }
}

void EntryIndex::unlist(std::uint32_t row) {
  Row& r = rows_[row];
  if (r.incomplete_pos != kNone) {
    if ((r.flags & kHasDue) != 0) due_.erase({r.due, row});
    list_remove(incomplete_, &Row::incomplete_pos, rows_, row);
  }
  if (r.unnotified_pos != kNone) list_remove(unnotified_, &Row::unnotified_pos, rows_, row);
}

bool EntryIndex::erase(std::string_view internal_id) {
  const std::uint32_t row = row_of(internal_id);
  if (row == kNone) return false;
  unlist(row);
  ids_.erase(id_hash_of(row), row);
  keys_.erase(key_hash_of(rows_[row]), row);
  text_ids_.erase(row);
  rows_[row] = Row{};
  free_.push_back(row);
  return true;
}

void EntryIndex::clear() {
  rows_.clear();
  free_.clear();
  free_.shrink_to_fit();
  ids_.clear();
  keys_.clear();
  text_ids_.clear();
  names_.clear();
  codes_.clear();
  incomplete_.clear();
  incomplete_.shrink_to_fit();
  unnotified_.clear();
  unnotified_.shrink_to_fit();
  due_.clear();
}

bool EntryIndex::contains(std::string_view internal_id) const {
  return row_of(internal_id) != kNone;
}

std::optional<EntrySummary> EntryIndex::find(std::string_view internal_id) const {
  const std::uint32_t row = row_of(internal_id);
  if (row == kNone) return std::nullopt;
  const Row& r = rows_[row];
  EntrySummary s;
  s.internal_id = id_text(row);
  s.external_id = r.external_id.view();
  s.source_system = names_[r.source_system];
  s.passenger_module = names_[r.passenger_module];
  s.puller_module = names_[r.puller_module];
  s.pull_datetime = TimePoint(TimePoint::duration(r.pulled));
  s.notified = (r.flags & kNotified) != 0;
  s.processors_complete = (r.flags & kProcessorsComplete) != 0;
  s.pushers_complete = (r.flags & kPushersComplete) != 0;
  if ((r.flags & kHasDue) != 0) s.due_at = TimePoint(TimePoint::duration(r.due));
  s.failing = (r.flags & kFailing) != 0;
  s.quarantined = (r.flags & kQuarantined) != 0;
  return s;
}

std::optional<std::string> EntryIndex::find_key(std::string_view passenger_module,
                                                std::string_view source_system,
                                                std::string_view external_id) const {
  const std::uint32_t module_code = code_if_known(passenger_module);
  const std::uint32_t source_code = code_if_known(source_system);
  if (module_code == kNone || source_code == kNone) return std::nullopt;
  // The smallest id when several entries share the key.
  std::uint32_t first = kNone;
  keys_.find(key_hash(module_code, source_code, external_id), [&](std::uint32_t row) {
    const Row& r = rows_[row];
    if (r.passenger_module == module_code && r.source_system == source_code &&
        r.external_id.view() == external_id && (first == kNone || id_less(row, first))) {
      first = row;
    }
    return false;
  });
  if (first == kNone) return std::nullopt;
  return id_text(first);
}

}  // namespace databus
