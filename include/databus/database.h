// Database: the storage engine interface (docs/architecture.md "Layers"). Engines only store and
// query; the queue rules live in the primal queue. JSON DB, SQLite and
// PostgreSQL are siblings behind this interface and pass one conformance
// suite; DatabaseWrapper (database_wrapper.h) decorates any of them.
//
// Thread-safety: every method may be called concurrently from several threads
// (the dispatcher drives different client passengers in parallel). Calls for
// the same entry are never concurrent, because the dispatcher never runs two
// drives of the same client passenger at once.
//
// Durability: a method that writes returns only after what it wrote survives
// a crash (power loss aside from lying disks), and a crash in the middle of a
// write leaves either the old or the new version visible, never a mix.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "databus/client.h"
#include "databus/config_version.h"
#include "databus/coordination.h"
#include "databus/flow_history.h"
#include "databus/log.h"
#include "databus/queue_entry.h"
#include "databus/session_storage.h"
#include "databus/time.h"

namespace databus {

// Engine arguments (ticket database_arguments, `--database-arg KEY=VALUE`).
using DatabaseArguments = std::map<std::string, std::string>;

// What an engine is opened with.
struct DatabaseEnv {
  std::filesystem::path data_dir;  // The ticket's data_dir.
  DatabaseArguments arguments;
};

// Which entries a query returns.
enum class EntryFilter {
  all,
  unnotified,      // puller_notified is false
  processing_due,  // some processor is not complete
  push_due,        // every processor complete, some pusher not complete
  incomplete,      // not QueueEntry::complete()
  complete,        // QueueEntry::complete()
  failing,         // QueueEntry::failing(): a failed step that will be retried
  waiting,         // failing, and not due by EntryQuery::due_by (or now)
  quarantined,     // QueueEntry::quarantined()
};

// A place in the order of a query (pull_datetime, then internal_id): where a
// keyset page starts (EntryQuery::after).
struct EntryCursor {
  TimePoint pull_datetime{};
  std::string internal_id;

  static EntryCursor of(const QueueEntry& entry) {
    return {entry.passenger.pull_datetime, entry.passenger.internal_id};
  }
};

struct EntryQuery {
  std::string passenger_module;  // Empty: every passenger type.
  EntryFilter filter = EntryFilter::all;
  std::string puller_module;               // Non-empty: only passengers of this puller.
  std::optional<TimePoint> pulled_before;  // Only entries pulled before this.
  // With processing_due or push_due: only entries due by then
  // (QueueEntry::due_at() <= due_by; one without a due time never is).
  // With waiting: the instant "not due" is measured at (default now).
  // Engines index the due time, so that entries waiting for a retry or
  // quarantined cost a drive nothing.
  std::optional<TimePoint> due_by;
  // Non-empty: only entries whose external_id, source_system or internal_id
  // contains this text (case-sensitive).
  std::string search;
  bool newest_first = false;  // Order by pull_datetime (then internal_id).
  // Keyset paging: only entries after this place in the query's order
  // (with newest_first: before it). A walk page by page, each page starting
  // after the last entry of the one before, neither skips nor repeats an
  // entry while the walk changes the set (marks entries notified, completes
  // their steps), which paging by offset does (docs/architecture.md
  // "Streaming drives"). Engines keep pull times to the microsecond, so a
  // cursor taken from a stored entry is exact.
  std::optional<EntryCursor> after;
  std::size_t offset = 0;
  std::size_t limit = std::numeric_limits<std::size_t>::max();
  bool with_attachments = true;  // False: attachments have name and format only.
  // False, with with_attachments false: the entries may come without any
  // attachment (an engine that has the names at hand may still give them),
  // for a caller that has the attachments already (the primal queue).
  bool with_attachment_names = true;
};

// What update_entries() rewrites.
enum class SaveScope {
  statuses,   // puller_notified, step statuses, log_guids.
  everything  // also the passenger's fields and attachments.
};

// A stored item that could not be read, or changes that could not be
// applied. Reported (drive logs, `databus check`, the System page), never
// deleted. One client's problems never stop another client.
struct StorageProblem {
  // What the problem means for the client's drives.
  enum class Kind {
    // A queue entry (or row) cannot be read: it is left in place and out of
    // queries; every drive of the client reports it as an error.
    malformed_entry,
    // An item the engine did not write and does not use (a stray file in a
    // log folder, a folder in the queue that is no entry) or a log that
    // cannot be read: reported as a warning, it stops nothing.
    stray_item,
    // Changes that could not be applied (a journal batch whose replay
    // failed), kept at `path` for an operator (docs/storage-engines.md).
    // The drives of `stopped_passengers` report it as an error and move no
    // data until the operator has dealt with it.
    set_aside_changes,
  };
  std::string client_id;
  std::string path;  // File or row that is malformed, or the changes kept aside.
  std::string message;
  Kind kind = Kind::malformed_entry;
  // set_aside_changes: the passenger modules it stops; empty means every
  // passenger of the client (the changes name none that could be read).
  std::vector<std::string> stopped_passengers;

  // True when a drive of `passenger_module` must move no data.
  bool stops(const std::string& passenger_module) const {
    return kind == Kind::set_aside_changes &&
           (stopped_passengers.empty() ||
            std::find(stopped_passengers.begin(), stopped_passengers.end(), passenger_module) !=
                stopped_passengers.end());
  }
};

// The dedup key of the primal queue within one passenger module.
struct DedupKey {
  std::string source_system;
  std::string external_id;
  auto operator<=>(const DedupKey&) const = default;
};

struct BackupInfo {
  std::string id;    // Unique name of the backup: "<uuid>-<node>".
  std::string node;  // Customizing node it copies.
  TimePoint created{};
};

class Database {
 public:
  virtual ~Database() = default;

  // The engine's registry name ("json_db") and a human description for
  // About pages and logs ("json_db at data/json_db").
  virtual std::string engine() const = 0;
  virtual std::string describe() const = 0;

  // --- Clients --------------------------------------------------------------
  // Sorted client ids.
  virtual std::vector<std::string> client_ids() = 0;
  // The parsed configuration. Throws NotFoundError for an unknown client and
  // ConfigError naming the file and field when it is malformed.
  virtual ClientConfig load_client(const std::string& client_id) = 0;
  // The raw configuration text (customizing node "__databus__").
  virtual std::string read_client_config_text(const std::string& client_id) = 0;
  // Replaces the configuration text atomically. The caller validates.
  // Creates the client when it does not exist. The text gets a new version
  // (ConfigVersion::make("") or, in the JSON DB, the file's), saved by nobody known.
  virtual void write_client_config_text(const std::string& client_id, const std::string& text) = 0;
  // The raw configuration text with its version (config_version.h): what a
  // compare-and-set save starts from. Two reads with no write between
  // return the same tag; a write gives a new one (the JSON DB, whose tag is
  // the file's time and text, may keep it when the same text is written
  // again within one tick of the file system's clock: then a save from it
  // overwrites nothing it did not see). Throws NotFoundError for an unknown
  // client.
  virtual VersionedText read_client_config_versioned(const std::string& client_id) = 0;
  // The compare-and-set write of the edit conflict check
  // (docs/api.md "Edit conflicts"): replaces the text only when
  // the stored version's tag is `expected_tag`, and then stores a new
  // version saved by `saved_by` (the engine makes it). The comparison and
  // the write are one atomic step against every other write of this
  // client's configuration, by any thread and any process on the store: of
  // two writes expecting the same tag, exactly one succeeds.
  // Returns the new version when written; throws EditConflictError (naming
  // the client, `expected_tag` and the current version) when the stored tag
  // differs, and NotFoundError for an unknown client: then nothing changed.
  // The caller validates the text.
  virtual ConfigVersion write_client_config_text_if(const std::string& client_id,
                                                    const std::string& text,
                                                    const std::string& expected_tag,
                                                    const std::string& saved_by) = 0;

  // --- Customizing backups ---------------------------------------------------
  virtual void write_backup(const std::string& client_id, const std::string& node,
                            const std::string& text) = 0;
  virtual std::vector<BackupInfo> list_backups(const std::string& client_id) = 0;
  virtual std::size_t delete_backups_before(const std::string& client_id, TimePoint before) = 0;
  // The text of backup `backup_id` (BackupInfo::id), nullopt when there is
  // none. Throws ConfigError when the id is not a file name.
  virtual std::optional<std::string> read_backup(const std::string& client_id,
                                                 const std::string& backup_id) = 0;
  // Stores a backup under the given id, node and creation time (export
  // copies backups with this), replacing one with the same id. The time is
  // kept to the microsecond. Throws ConfigError unless info.id is
  // "<uuid>-<node>" for a valid node name info.node.
  virtual void restore_backup(const std::string& client_id, const BackupInfo& info,
                              const std::string& text) = 0;

  // --- Queue ------------------------------------------------------------------
  // Stores new entries. REQUIRES: their internal ids are not stored yet.
  virtual void insert_entries(const std::string& client_id,
                              std::span<const QueueEntry> entries) = 0;
  // Rewrites stored entries (matched by internal_id). Throws NotFoundError
  // when one is not stored.
  virtual void update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                              SaveScope scope) = 0;
  virtual std::vector<QueueEntry> query_entries(const std::string& client_id,
                                                const EntryQuery& query) = 0;
  // The number of entries query_entries() would return without offset/limit.
  virtual std::size_t count_entries(const std::string& client_id, const EntryQuery& query) = 0;
  virtual std::optional<QueueEntry> load_entry(const std::string& client_id,
                                               const std::string& internal_id) = 0;
  // The internal id of the entry of `passenger_module` with this source and
  // external id, if one is stored (the dedup key of the primal queue).
  virtual std::optional<std::string> find_entry(const std::string& client_id,
                                                const std::string& passenger_module,
                                                const std::string& source_system,
                                                const std::string& external_id) = 0;
  // The batch form of find_entry(): each of `keys` that is stored, with the
  // internal id find_entry() would return. Keys may repeat. Server engines
  // answer in one round trip per call (not per key).
  virtual std::map<DedupKey, std::string> find_entries(const std::string& client_id,
                                                       const std::string& passenger_module,
                                                       std::span<const DedupKey> keys) = 0;
  // Those of `internal_ids` that are stored (of any passenger module), in one
  // round trip per call: load_entry() without loading. Ids may repeat; ones
  // that are not UUIDs are never stored.
  virtual std::set<std::string> stored_ids(const std::string& client_id,
                                           std::span<const std::string> internal_ids) = 0;
  // Seats: inserts those of `entries` (all of one passenger module) whose
  // dedup key (source_system, external_id) is not stored for that module,
  // the check and the insert being one step against every other
  // seat_entries() of the client passenger module. Returns the positions in
  // `entries` of those skipped because their key is stored (or repeated
  // earlier in `entries`). Engines several processes share make the step
  // atomic in the engine (PostgreSQL: a transaction-scoped lock on the client
  // passenger module); this default, find_entries() then insert_entries(),
  // is one step only when its callers are serialized, which the dispatcher's
  // lanes do within one process (docs/architecture.md "Lanes").
  virtual std::vector<std::size_t> seat_entries(const std::string& client_id,
                                                std::span<const QueueEntry> entries);
  // Deletes complete entries of `passenger_module` pulled before `before`.
  // Returns how many were deleted.
  virtual std::size_t delete_complete_entries(const std::string& client_id,
                                              const std::string& passenger_module,
                                              TimePoint before) = 0;
  // Malformed stored items of this client found so far, stray items, and
  // changes set aside (see StorageProblem::Kind).
  virtual std::vector<StorageProblem> problems(const std::string& client_id) = 0;

  // --- Client passenger state -------------------------------------------------
  // Small named documents (JSON texts) kept with a client passenger: the
  // dispatcher's bookkeeping (puller health, the steps a drive is running)
  // and a component's progress. `name` is [A-Za-z0-9_.-]{1,100}, else
  // ConfigError. Written by the drives of the passenger, behind its door
  // (docs/architecture.md "Lanes"; fenced in a cluster like queue writes).
  // The document, or nullopt when none is stored.
  virtual std::optional<std::string> read_passenger_state(const std::string& client_id,
                                                          const std::string& passenger_module,
                                                          const std::string& name) = 0;
  // Replaces the document atomically and durably; nullopt deletes it.
  virtual void write_passenger_state(const std::string& client_id,
                                     const std::string& passenger_module, const std::string& name,
                                     const std::optional<std::string>& text) = 0;
  // The same, except that the document need only survive the process
  // ending (SIGKILL, a crash in a component), not a power loss or an
  // operating system crash, so the engine may skip its sync: after such a
  // loss the document may be an older one, missing, or unreadable (a reader
  // treats it as missing). For documents rewritten often whose loss then
  // costs nothing: a drive's marks of the steps it runs, puller health
  // (docs/architecture.md "Interrupted steps"). Fenced like
  // write_passenger_state(). The default writes durably.
  virtual void write_passenger_state_unsynced(const std::string& client_id,
                                              const std::string& passenger_module,
                                              const std::string& name,
                                              const std::optional<std::string>& text) {
    write_passenger_state(client_id, passenger_module, name, text);
  }
  // Every document of the client's passenger, by name.
  virtual std::map<std::string, std::string> list_passenger_state(
      const std::string& client_id, const std::string& passenger_module) = 0;

  // --- Flow history -----------------------------------------------------------
  // Per-minute counts of a client passenger's flow (flow_history.h), for
  // the dashboard. Added by the dispatcher after each drive. The defaults
  // keep one passenger state document a day (flow_history.h); the SQL
  // engines keep a table. `passenger_module` as for the state documents.
  // Adds `counts` to those of `minute` (flow_minute_of()).
  virtual void add_flow_counts(const std::string& client_id, const std::string& passenger_module,
                               TimePoint minute, const FlowCounts& counts);
  // The counts of the minutes from flow_minute_of(since) on, oldest first.
  virtual FlowHistory read_flow_counts(const std::string& client_id,
                                       const std::string& passenger_module, TimePoint since);
  // Deletes the counts of the minutes before `before` (the defaults: of
  // whole days before its day). Returns how many minutes (the defaults:
  // days) were deleted.
  virtual std::size_t delete_flow_counts_before(const std::string& client_id,
                                                const std::string& passenger_module,
                                                TimePoint before);

  // --- Logs -------------------------------------------------------------------
  virtual void write_log(const std::string& client_id, const Log& log) = 0;
  // Newest first.
  virtual std::vector<LogSummary> list_logs(const std::string& client_id) = 0;
  virtual std::optional<Log> read_log(const std::string& client_id, const std::string& guid) = 0;
  virtual std::size_t delete_logs_before(const std::string& client_id, TimePoint before) = 0;
  virtual bool delete_log(const std::string& client_id, const std::string& guid) = 0;

  // --- Cluster ----------------------------------------------------------------
  // The coordination of the nodes sharing this store (coordination.h), or
  // null when one process owns it (the engine refuses a second one).
  virtual Coordination* coordination() { return nullptr; }

  // --- Web sessions -----------------------------------------------------------
  // Where the web server keeps browser sessions when several processes
  // share this database (session_storage.h), owned by the database and
  // valid for its life. Null (the default) for engines that one process
  // owns: the web server keeps sessions in memory then.
  virtual SessionStorage* session_storage() { return nullptr; }
};

inline void Database::add_flow_counts(const std::string& client_id,
                                      const std::string& passenger_module, TimePoint minute,
                                      const FlowCounts& counts) {
  minute = flow_minute_of(minute);
  const std::string name = flow_day_name(minute);
  FlowHistory day;
  if (const auto text = read_passenger_state(client_id, passenger_module, name)) {
    try {
      day = decode_flow_day(*text);
    } catch (const std::exception&) {
      // A malformed day starts again: the history is a view, not a record.
    }
  }
  day[minute] += counts;
  // Rewritten after every drive, and a view, not a record: no sync.
  write_passenger_state_unsynced(client_id, passenger_module, name, encode_flow_day(day));
}

inline FlowHistory Database::read_flow_counts(const std::string& client_id,
                                              const std::string& passenger_module,
                                              TimePoint since) {
  since = flow_minute_of(since);
  const std::string first_day = flow_day_name(since);
  FlowHistory out;
  for (const auto& [name, text] : list_passenger_state(client_id, passenger_module)) {
    if (!name.starts_with(kFlowDayPrefix) || name < first_day) continue;
    try {
      for (const auto& [minute, counts] : decode_flow_day(text)) {
        if (minute >= since) out[minute] += counts;
      }
    } catch (const std::exception&) {
      // Malformed: that day shows nothing.
    }
  }
  return out;
}

inline std::size_t Database::delete_flow_counts_before(const std::string& client_id,
                                                       const std::string& passenger_module,
                                                       TimePoint before) {
  const std::string first_kept = flow_day_name(flow_minute_of(before));
  std::size_t deleted = 0;
  for (const auto& [name, text] : list_passenger_state(client_id, passenger_module)) {
    if (!name.starts_with(kFlowDayPrefix) || name >= first_kept) continue;
    write_passenger_state(client_id, passenger_module, name, std::nullopt);
    ++deleted;
  }
  return deleted;
}

inline std::vector<std::size_t> Database::seat_entries(const std::string& client_id,
                                                       std::span<const QueueEntry> entries) {
  std::vector<std::size_t> skipped;
  if (entries.empty()) return skipped;
  std::vector<DedupKey> keys;
  keys.reserve(entries.size());
  for (const QueueEntry& e : entries)
    keys.push_back({e.passenger.source_system, e.passenger.external_id});
  const std::map<DedupKey, std::string> stored =
      find_entries(client_id, entries.front().passenger.passenger_module, keys);
  // Hashed views into `entries`: a batch of 10,000 made an ordered set of
  // copies a visible share of the seat step.
  struct Hash {
    std::size_t operator()(const std::pair<std::string_view, std::string_view>& k) const {
      const std::size_t a = std::hash<std::string_view>()(k.first);
      return a ^ (std::hash<std::string_view>()(k.second) + 0x9e3779b97f4a7c15ULL + (a << 6) +
                  (a >> 2));
    }
  };
  std::unordered_set<std::pair<std::string_view, std::string_view>, Hash> seen;
  seen.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Passenger& p = entries[i].passenger;
    if ((!stored.empty() && stored.count(keys[i]) > 0) ||
        !seen.insert({p.source_system, p.external_id}).second) {
      skipped.push_back(i);
    }
  }
  if (skipped.empty()) {
    insert_entries(client_id, entries);
    return skipped;
  }
  std::vector<QueueEntry> fresh;
  std::size_t next = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (next < skipped.size() && skipped[next] == i) {
      ++next;
    } else {
      fresh.push_back(entries[i]);
    }
  }
  if (!fresh.empty()) insert_entries(client_id, fresh);
  return skipped;
}

}  // namespace databus
