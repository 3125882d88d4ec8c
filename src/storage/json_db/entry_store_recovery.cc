// EntryStore, its recovering side: the journal's replay (at open, and in a
// running process after some entry's files failed), and the changes it sets
// aside when they cannot be applied. See entry_store.h and
// docs/storage-engines.md ("When a journal cannot be replayed").
#include <algorithm>
#include <filesystem>
#include <set>

#include "databus/error.h"
#include "databus/time.h"
#include "fs/atomic_file.h"
#include "fs/journal_file.h"
#include "logging/process_log.h"
#include "storage/json_db/entry_files.h"
#include "storage/json_db/entry_journal.h"
#include "storage/json_db/entry_store.h"
#include "storage/json_db/passenger_codec.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

constexpr std::string_view kSetAsideMark = ".failed-";

// The passenger module a record is about; "" when it cannot be told.
std::string module_of(const EntryRecord& record, const stdfs::path& pqueue,
                      const std::string& path) {
  try {
    if (record.kind != EntryRecord::Kind::remove) {
      return decode_passenger_json(record.passenger_json, path).passenger.passenger_module;
    }
    const stdfs::path json = pqueue / record.internal_id / entry_files::kPassengerFile;
    return decode_passenger_json(durable::read_file(json), json.string())
        .passenger.passenger_module;
  } catch (const std::exception&) {
    return "";
  }
}

// The problem reporting the set-aside changes at `aside`.
StorageProblem set_aside_problem(const std::string& client_id, const stdfs::path& aside,
                                 std::size_t count, const std::set<std::string>& modules,
                                 const std::string& why) {
  StorageProblem problem;
  problem.client_id = client_id;
  problem.path = aside.string();
  problem.kind = StorageProblem::Kind::set_aside_changes;
  std::string names;
  if (!modules.contains("")) {
    for (const std::string& m : modules) {
      problem.stopped_passengers.push_back(m);
      names += (names.empty() ? "" : ", ") + m;
    }
  }
  problem.message = std::to_string(count) + " journaled change(s) to queue entries could not be " +
                    "applied" + (why.empty() ? "" : " (" + why + ")") +
                    " and are kept in this file; drives of " +
                    (names.empty() ? "every passenger of the client" : "passenger(s) " + names) +
                    " move no data until an operator replays or removes it "
                    "(docs/storage-engines.md)";
  return problem;
}

}  // namespace

void EntryStore::recover() {
  std::unique_lock lock(mutex_);
  replay_journal();
}

void EntryStore::ensure_index() {
  if (indexed_.load(std::memory_order_acquire)) return;
  std::unique_lock lock(mutex_);
  if (indexed_.load(std::memory_order_relaxed)) return;
  replay_journal();
  scan();
  find_set_aside();
  indexed_.store(true, std::memory_order_release);
}

void EntryStore::apply_failed() {
  unapplied_ = true;
  recovered_ = false;
  indexed_.store(false, std::memory_order_release);
}

void EntryStore::replay_journal() {
  if (recovered_) return;
  // After a write of this process failed (apply_failed()), not at open: what
  // still fails stays in the journal for the next open rather than being
  // set aside while its cause may still go away (a file in the way removed).
  const bool retry = unapplied_;
  std::error_code ec;
  if (stdfs::exists(journal_path_, ec)) {
    journal_.reset();  // Reopened by the next write, after the file is gone.
    const std::string path = journal_path_.string();
    const std::vector<std::string> records = durable::JournalFile::read(journal_path_);
    std::vector<std::string> failed;  // Records not applied, in order.
    std::set<std::string> failed_ids, failed_modules;
    std::string first_error;
    for (const std::string& bytes : records) {
      EntryRecord record;
      try {
        record = EntryRecord::decode(bytes, path);
      } catch (const CorruptDataError& e) {
        // Checksummed yet unreadable: kept aside for a human, never deleted.
        add_problem(path, std::string(e.what()) + "; kept as " + path + ".corrupt");
        stdfs::rename(journal_path_, path + ".corrupt");
        break;
      }
      // A later change of an entry whose earlier change failed would apply
      // over files that miss that change: it goes aside with it.
      if (failed_ids.contains(record.internal_id)) {
        failed.push_back(bytes);
        continue;
      }
      const std::string id = record.internal_id;
      try {
        entry_files::apply(dir_, std::move(record));
      } catch (const NoSpaceError&) {
        throw;  // The journal stays; the next call replays it again.
      } catch (const std::exception& e) {
        if (first_error.empty()) first_error = e.what();
        failed.push_back(bytes);
        failed_ids.insert(id);
        // Decoded once already; a failed removal left the folder to read.
        failed_modules.insert(module_of(EntryRecord::decode(bytes, path), dir_, path));
      }
    }
    if (!records.empty()) durable::sync_file_system(dir_.parent_path());
    if (retry && !failed.empty()) {
      recovered_ = true;  // Tried once; the journal stays (unapplied_).
      return;
    }
    if (!failed.empty()) set_aside(failed, failed_modules, first_error);
    if (stdfs::exists(journal_path_, ec)) durable::remove_durably(journal_path_);
    // Records set aside keep naming their blobs: those stay for the operator.
    if (failed.empty()) remove_blobs();
  }
  unapplied_ = false;
  recovered_ = true;
}

void EntryStore::set_aside(std::span<const std::string> records,
                           const std::set<std::string>& modules, const std::string& why) {
  std::string stamp = to_iso(Clock::now());
  std::replace(stamp.begin(), stamp.end(), ':', '_');
  stdfs::path aside = journal_path_.string() + std::string(kSetAsideMark) + stamp;
  std::error_code ec;
  for (int n = 2; stdfs::exists(aside, ec); ++n) {
    aside = journal_path_.string() + std::string(kSetAsideMark) + stamp + "-" + std::to_string(n);
  }
  try {
    durable::JournalFile(aside).append(records);
  } catch (...) {
    stdfs::remove(aside, ec);  // The journal stays whole; the next replay retries.
    throw;
  }
  StorageProblem problem = set_aside_problem(client_id_, aside, records.size(), modules, why);
  // The process's own log too: the operator may not look at a drive's log.
  process_log::warning("json_db") << "client " << client_id_ << ": " << problem.path << ": "
                                  << problem.message;
  std::lock_guard<std::mutex> guard(problems_mutex_);
  set_aside_[problem.path] = std::move(problem);
}

void EntryStore::find_set_aside() {
  const stdfs::path dir = journal_path_.parent_path();
  const std::string prefix = journal_path_.filename().string() + std::string(kSetAsideMark);
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec)) return;
  for (const auto& item : stdfs::directory_iterator(dir, ec)) {
    const std::string name = item.path().filename().string();
    if (!name.starts_with(prefix) || durable::is_temporary_name(name)) continue;
    {
      std::lock_guard<std::mutex> guard(problems_mutex_);
      if (set_aside_.contains(item.path().string())) continue;
    }
    // Left by an earlier run: the passengers it names are stopped again.
    std::set<std::string> modules;
    std::vector<std::string> records;
    try {
      records = durable::JournalFile::read(item.path());
      for (const std::string& bytes : records) {
        modules.insert(module_of(EntryRecord::decode(bytes, item.path().string()), dir_,
                                 item.path().string()));
      }
    } catch (const std::exception&) {
      modules.insert("");
    }
    StorageProblem problem =
        set_aside_problem(client_id_, item.path(), records.size(), modules, "set aside earlier");
    std::lock_guard<std::mutex> guard(problems_mutex_);
    set_aside_[problem.path] = std::move(problem);
  }
}

}  // namespace databus
