// EntryIndex: what an engine keeps in memory about each queue entry of one
// client so that queries, counts and the dedup lookup never touch the stored
// entries themselves; only the entries a query returns are then loaded.
// Shared by the engines that do not have a query language of their own
// (JSON DB, in-memory).
//
// Compact, because it holds every entry of a client however many there are
// (docs/architecture.md "Streaming drives", what stays bounded by the
// store): one 64-byte row an entry (the internal id as 16 bytes, the module and source system names
// as numbers into a table of the client's few distinct names, times as
// integers, the external id in one allocation of its own length), plus 8
// bytes a slot in two flat hash tables (by internal id and by dedup key) and
// 4 bytes an incomplete entry in flat lists; no node-based container holds an
// entry except the due times of incomplete ones. About 120 bytes an entry
// with short external ids (entry_index_test.cc checks the bound).
//
// Internal ids are expected to be UUIDs in lower case (what new_uuid()
// makes); any other text still works, kept as text beside the row.
//
// Thread-safety: none; the owning engine guards it with its per-client lock.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "databus/database.h"
#include "databus/queue_entry.h"
#include "storage/hashed_rows.h"

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
};

class EntryIndex {
 public:
  EntryIndex() = default;
  EntryIndex(const EntryIndex&) = delete;
  EntryIndex& operator=(const EntryIndex&) = delete;

  // Adds the summary or replaces the one with the same internal_id.
  void put(const EntrySummary& summary);
  // Same as put(EntrySummary::of(entry)), without building the summary.
  void put(const QueueEntry& entry);
  // Removes the entry; false when it was not indexed.
  bool erase(std::string_view internal_id);

  bool contains(std::string_view internal_id) const;
  // The summary of `internal_id`, rebuilt from its row, or nullopt.
  std::optional<EntrySummary> find(std::string_view internal_id) const;
  // The dedup lookup of Database::find_entry(): the smallest internal id
  // among the entries with this key.
  std::optional<std::string> find_key(std::string_view passenger_module,
                                      std::string_view source_system,
                                      std::string_view external_id) const;

  // The internal ids `query` selects, in its order, after offset and limit.
  std::vector<std::string> select(const EntryQuery& query) const;
  // How many entries `query` selects without offset and limit.
  std::size_t count(const EntryQuery& query) const;
  // Complete entries of `passenger_module` pulled before `before`, by id.
  std::vector<std::string> complete_before(std::string_view passenger_module,
                                           TimePoint before) const;

  std::size_t size() const { return ids_.size(); }
  void clear();

 private:
  // An entry's fields as put() receives them, either way.
  struct Fields;
  // An external id in one allocation: its length (4 bytes), then its bytes.
  class PackedText {
   public:
    PackedText() = default;
    explicit PackedText(std::string_view text);
    std::string_view view() const;

   private:
    std::unique_ptr<char[]> bytes_;  // Null: empty.
  };
  using Uuid = std::array<std::uint8_t, 16>;
  static constexpr std::uint32_t kNone = ~std::uint32_t{0};  // No row, no position.
  // Row::flags.
  enum : std::uint8_t {
    kNotified = 1,
    kProcessorsComplete = 2,
    kPushersComplete = 4,
    kFailing = 8,
    kQuarantined = 16,
    kHasDue = 32,
    kTextId = 64,  // The id is not a lower-case UUID: text_ids_ holds it.
    kFree = 128,   // Not in use; on free_.
  };
  static constexpr std::uint8_t kComplete = kNotified | kProcessorsComplete | kPushersComplete;
  // One entry. The names are codes into names_.
  struct Row {
    Uuid id{};                // Zero for a text id.
    std::int64_t pulled = 0;  // pull_datetime, as its count of ticks.
    std::int64_t due = 0;     // due_at when kHasDue.
    PackedText external_id;
    std::uint32_t incomplete_pos = kNone;  // In incomplete_, when incomplete.
    std::uint32_t unnotified_pos = kNone;  // In unnotified_, when there.
    std::uint32_t passenger_module = 0;
    std::uint32_t puller_module = 0;
    std::uint32_t source_system = 0;
    std::uint8_t flags = kFree;

    bool complete() const { return (flags & kComplete) == kComplete; }
  };
  // A query with its names turned into codes and its cursor parsed, once.
  struct Prepared;

  static std::optional<Uuid> parse_id(std::string_view text);
  static std::uint32_t id_hash(const Uuid& id);
  static std::uint32_t text_hash(std::string_view text);
  std::uint32_t key_hash(std::uint32_t passenger_module, std::uint32_t source_system,
                         std::string_view external_id) const;
  std::uint32_t key_hash_of(const Row& row) const {
    return key_hash(row.passenger_module, row.source_system, row.external_id.view());
  }
  std::uint32_t id_hash_of(std::uint32_t row) const;

  // The row of `internal_id`, or kNone.
  std::uint32_t row_of(std::string_view internal_id) const;
  std::string id_text(std::uint32_t row) const;
  // Orders rows by internal id as text.
  bool id_less(std::uint32_t a, std::uint32_t b) const;
  // The code of `name`, made on first use / kNone when never used.
  std::uint32_t code(std::string_view name);
  std::uint32_t code_if_known(std::string_view name) const;

  void put(const Fields& fields);
  // Sets the states and list memberships of `row` from `fields`.
  void set_states(std::uint32_t row, const Fields& fields);
  void unlist(std::uint32_t row);
  static void list_remove(std::vector<std::uint32_t>& list, std::uint32_t Row::*pos,
                          std::deque<Row>& rows, std::uint32_t row);

  bool matches(const Row& row, std::uint32_t index, const Prepared& q) const;
  // Calls visit(row) for each row that may match `query`, in no order.
  template <typename Visit>
  void candidates(const Prepared& query, Visit visit) const;
  Prepared prepare(const EntryQuery& query) const;

  std::deque<Row> rows_;                                     // By row number; never moves a row.
  std::vector<std::uint32_t> free_;                          // Rows to reuse.
  HashedRows ids_;                                           // Every row, by internal id.
  HashedRows keys_;                                          // Every row, by dedup key.
  std::unordered_map<std::uint32_t, std::string> text_ids_;  // Rows with kTextId.
  std::deque<std::string> names_;  // By code; a deque, so codes_'s views stay valid.
  std::unordered_map<std::string_view, std::uint32_t> codes_;  // By name.
  std::vector<std::uint32_t> incomplete_;                      // Rows not complete.
  std::vector<std::uint32_t> unnotified_;                      // Incomplete rows not notified.
  // Incomplete rows with a due time, by that time: a drive's query reads
  // only the due ones, however many wait or are quarantined.
  std::set<std::pair<std::int64_t, std::uint32_t>> due_;
};

}  // namespace databus
