// The files of one queue entry of the JSON DB (docs/configuration.md):
// pqueue/<internal_id>/passenger.json and pqueue/<internal_id>/attachments/<name>.
//
// Writers here do not sync: EntryStore journals each change durably first
// (entry_journal.h) and makes the files durable at its checkpoint. They keep
// every passenger.json whole at every instant should the process die (a new
// folder appears by one rename; passenger.json is overwritten within one page
// or replaced by rename), so a reader of the folder, the original Python
// Databus included, never sees half a passenger.json; only a crash of the
// machine can leave a torn file, which the journal's replay rewrites.
//
// Each throws StorageError naming the path on an I/O failure. Given
// `version`, put() and put_passenger_json() store there the version of the
// passenger.json they wrote (for the EntryCache), without a stat() of its own.
//
// Thread-safety: thread-compatible per entry: calls for distinct ids may run
// at once (EntryStore runs a batch's entries on its FileWorkers); calls for
// the same id must not.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "databus/attachment.h"
#include "fs/atomic_file.h"
#include "storage/json_db/entry_journal.h"

namespace databus::entry_files {

inline constexpr const char* kPassengerFile = "passenger.json";
inline constexpr const char* kAttachmentsDir = "attachments";

// Makes pqueue/<id> hold exactly `passenger_json` and `attachments`
// (contents included): a new folder is staged under a temporary name and
// renamed into place; an existing one gets its attachments replaced, then
// passenger.json, then the files no longer listed removed.
void put(const std::filesystem::path& pqueue, const std::string& id,
         std::string_view passenger_json, std::span<const Attachment> attachments,
         durable::FileVersion* version = nullptr);

// Rewrites pqueue/<id>/passenger.json. False (nothing written) when the
// entry's folder does not exist.
bool put_passenger_json(const std::filesystem::path& pqueue, const std::string& id,
                        std::string_view passenger_json, durable::FileVersion* version = nullptr);

// Removes pqueue/<id>, if it exists: renamed to a temporary name first, so
// the entry disappears at once and whole.
void remove(const std::filesystem::path& pqueue, const std::string& id);

// Redoes one journal record (put, put_passenger_json or remove). Records
// whose id or attachment names this engine would never write are skipped.
void apply(const std::filesystem::path& pqueue, EntryRecord record);

}  // namespace databus::entry_files
