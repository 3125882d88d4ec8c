// EntryIndex: what an engine keeps in memory about each queue entry of one
// client so that queries, counts and the dedup lookup never touch the stored
// entries themselves; only the entries a query returns are then loaded.
// Shared by the engines that do not have a query language of their own
// (JSON DB, in-memory).
//
// Thread-safety: none; the owning engine guards it with its per-client lock.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "databus/database.h"
#include "databus/queue_entry.h"

namespace databus {

// The fields of an entry that queries filter and sort on.
struct EntrySummary {
  std::string internal_id;
  std::string external_id;
  std::string source_system;
  std::string passenger_module;
  std::string puller_module;
  TimePoint pull_datetime{};
  bool notified = false;
  bool processors_complete = false;
  bool pushers_complete = false;
  std::optional<TimePoint> due_at;  // QueueEntry::due_at()
  bool failing = false;             // QueueEntry::failing()
  bool quarantined = false;         // QueueEntry::quarantined()

  static EntrySummary of(const QueueEntry& entry);
  // Copies the fields a status change can change from `entry`.
  void take_states(const QueueEntry& entry);
  // Same meaning as QueueEntry::complete().
  bool complete() const { return notified && processors_complete && pushers_complete; }
  // True when the entry passes every condition of `query` (offset and limit
  // aside).
  bool matches(const EntryQuery& query) const;
};

class EntryIndex {
 public:
  // Adds the summary or replaces the one with the same internal_id. A
  // replacement with the same dedup key updates the indexed summary in place.
  void put(EntrySummary summary);
  // Same as put(EntrySummary::of(entry)), but copies no string when the entry
  // is indexed already with the same dedup key (a status update).
  void put(const QueueEntry& entry);
  // Removes the entry; false when it was not indexed.
  bool erase(const std::string& internal_id);

  // The summary of `internal_id`, or nullptr.
  const EntrySummary* find(const std::string& internal_id) const;
  // The dedup lookup of Database::find_entry().
  std::optional<std::string> find_key(const std::string& passenger_module,
                                      const std::string& source_system,
                                      const std::string& external_id) const;

  // The internal ids `query` selects, in its order, after offset and limit.
  std::vector<std::string> select(const EntryQuery& query) const;
  // How many entries `query` selects without offset and limit.
  std::size_t count(const EntryQuery& query) const;
  // Complete entries of `passenger_module` pulled before `before`, by id.
  std::vector<std::string> complete_before(const std::string& passenger_module,
                                           TimePoint before) const;

  std::size_t size() const { return entries_.size(); }
  void clear();

 private:
  // A dedup key (passenger_module, source_system, external_id). The views in
  // keys_ point into the strings of one of the key's holders; the strings of
  // an indexed summary's key never change (a key change is erase + insert),
  // and unordered_map nodes do not move, so the views stay valid.
  using KeyView = std::tuple<std::string_view, std::string_view, std::string_view>;
  static KeyView key_of(const EntrySummary& s) {
    return {s.passenger_module, s.source_system, s.external_id};
  }
  struct KeyHash {
    std::size_t operator()(const KeyView& key) const;
  };
  // Indexed entries by internal_id; nodes are stable, so the pointers below
  // stay valid until the entry is erased.
  using Entries = std::unordered_map<std::string, EntrySummary>;

  // Which of the sets below hold an indexed summary, by its states.
  struct Placement {
    bool complete = false;         // complete_, else incomplete_
    bool unnotified = false;       // unnotified_
    std::optional<TimePoint> due;  // due_, under this time
  };
  static Placement placement_of(const EntrySummary& s);
  // Inserts a summary whose internal_id is not indexed.
  void insert(EntrySummary summary);
  // Moves `s` into the sets its states place it in, out of those
  // `before` (its placement before its states changed; none: a new
  // summary) placed it in, touching only the sets whose answer changed.
  void place(const EntrySummary& s, const std::optional<Placement>& before);
  // Calls `visit` for each entry that may match `query`: only the incomplete
  // ones when the filter excludes complete entries. In no particular order.
  template <typename Visit>
  void candidates(const EntryQuery& query, Visit visit) const;

  Entries entries_;
  std::unordered_set<const EntrySummary*> incomplete_;  // Entries not complete.
  std::unordered_set<const EntrySummary*> unnotified_;  // Incomplete, not notified.
  std::unordered_set<const EntrySummary*> complete_;    // Complete entries.
  // Incomplete entries with a due time, by that time: a drive's query reads
  // only the due ones, however many wait or are quarantined.
  std::set<std::pair<TimePoint, const EntrySummary*>> due_;
  // Holders per dedup key; several because data written by hand may repeat a
  // key. Usually one.
  std::unordered_map<KeyView, std::vector<const EntrySummary*>, KeyHash> keys_;
};

}  // namespace databus
