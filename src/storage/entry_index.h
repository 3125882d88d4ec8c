// EntryIndex: what an engine keeps in memory about each queue entry of one
// client so that queries, counts and the dedup lookup never touch the stored
// entries themselves; only the entries a query returns are then loaded.
// Shared by the engines that do not have a query language of their own
// (JSON DB, in-memory).
//
// Thread-safety: none; the owning engine guards it with its per-client lock.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
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

  static EntrySummary of(const QueueEntry& entry);
  // Same meaning as QueueEntry::complete().
  bool complete() const { return notified && processors_complete && pushers_complete; }
  // True when the entry passes every condition of `query` (offset and limit
  // aside).
  bool matches(const EntryQuery& query) const;
};

class EntryIndex {
 public:
  // Adds the summary or replaces the one with the same internal_id.
  void put(EntrySummary summary);
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
  // Complete entries of `passenger_module` pulled before `before`.
  std::vector<std::string> complete_before(const std::string& passenger_module,
                                           TimePoint before) const;

  std::size_t size() const { return entries_.size(); }
  void clear();

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  static Key key_of(const EntrySummary& s) {
    return {s.passenger_module, s.source_system, s.external_id};
  }
  // Calls `visit` for each entry that may match `query`: only the incomplete
  // ones when the filter excludes complete entries.
  template <typename Visit>
  void candidates(const EntryQuery& query, Visit visit) const;

  std::map<std::string, EntrySummary> entries_;  // By internal_id.
  std::set<std::string> incomplete_;             // Ids of entries not complete.
  // Ids per dedup key; a set because data written by hand may repeat a key.
  std::map<Key, std::set<std::string>> keys_;
};

}  // namespace databus
