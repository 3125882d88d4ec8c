#include "dispatcher/log_spool.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>

#include "databus/error.h"
#include "databus/time.h"
#include "fs/atomic_file.h"
#include "logging/process_log.h"

namespace databus::dispatch {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kSuffix[] = ".log.json";

void report(const std::string& what) { process_log::warning("dispatcher") << what; }

// The spool file form: exact (unlike the log's text form, which folds line
// breaks), and naming the client.
std::string encode(const std::string& client_id, const Log& log) {
  json entries = json::array();
  for (const LogEntry& e : log.entries()) {
    entries.push_back({to_iso(e.time), e.source, std::string(to_string(e.type)), e.message});
  }
  return json{{"client_id", client_id},
              {"guid", log.guid()},
              {"created", to_iso(log.created())},
              {"entries", entries}}
      .dump(1, ' ', false, json::error_handler_t::replace);
}

// Throws std::exception for a malformed file.
std::pair<std::string, Log> decode(const std::string& text) {
  const json j = json::parse(text);
  Log log(j.at("guid").get<std::string>(), parse_iso(j.at("created").get<std::string>()));
  for (const json& e : j.at("entries")) {
    log.append(LogEntry{parse_iso(e.at(0).get<std::string>()), e.at(1).get<std::string>(),
                        parse_log_type(e.at(2).get<std::string>()), e.at(3).get<std::string>()});
  }
  return {j.at("client_id").get<std::string>(), std::move(log)};
}

// Writes `log`; returns why it must stay kept, or nothing. A client that no
// longer exists takes no logs: its log is dropped (reported).
std::optional<std::string> write(Database& database, const std::string& client_id, const Log& log) {
  try {
    database.write_log(client_id, log);
  } catch (const NotFoundError& e) {
    report("dropped the kept log " + log.guid() + " of client '" + client_id +
           "', which no longer exists: " + e.what());
  } catch (const std::exception& e) {
    return std::string(e.what());
  } catch (...) {
    return std::string("unknown exception");
  }
  return std::nullopt;
}

}  // namespace

LogSpool::LogSpool(fs::path folder) : folder_(std::move(folder)) {
  std::error_code ec;
  if (folder_.empty() || !fs::is_directory(folder_, ec)) return;
  std::vector<fs::path> files;
  for (const fs::directory_entry& item : fs::directory_iterator(folder_, ec)) {
    const std::string name = item.path().filename().string();
    if (durable::is_temporary_name(name) || !name.ends_with(kSuffix)) continue;
    files.push_back(item.path());
  }
  for (const fs::path& file : files) {
    try {
      auto [client_id, log] = decode(durable::read_file(file));
      kept_.push_back(Kept{std::move(client_id), std::move(log), file});
    } catch (const std::exception& e) {
      report("cannot read the kept log " + file.string() + " (left there): " + e.what());
    }
  }
  std::sort(kept_.begin(), kept_.end(),
            [](const Kept& a, const Kept& b) { return a.log.created() < b.log.created(); });
}

void LogSpool::store(Database& database, const std::string& client_id, const Log& log) {
  retry(database);
  if (std::optional<std::string> why = write(database, client_id, log)) {
    keep(Kept{client_id, log, {}}, *why);
  }
}

void LogSpool::keep(Kept kept, const std::string& why) {
  std::string where = "in memory only";
  if (!folder_.empty()) {
    try {
      durable::create_directories_durably(folder_);
      const fs::path file = folder_ / (kept.log.guid() + kSuffix);
      durable::write_file_atomically(file, encode(kept.client_id, kept.log));
      kept.file = file;
      where = "in " + file.string();
    } catch (const std::exception& e) {
      where += std::string(" (cannot spool it: ") + e.what() + ")";
    }
  }
  report("client '" + kept.client_id + "': cannot store the drive's log " + kept.log.guid() + ": " +
         why + "; kept " + where + " and stored at a later drive");
  std::lock_guard<std::mutex> lock(mu_);
  kept_.push_back(std::move(kept));
}

std::size_t LogSpool::retry(Database& database) {
  std::vector<Kept> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (kept_.empty()) return 0;
    pending.swap(kept_);  // Another drive retrying now sees none of these.
  }
  std::vector<Kept> still;
  for (Kept& kept : pending) {
    if (write(database, kept.client_id, kept.log)) {
      still.push_back(std::move(kept));
      continue;
    }
    std::error_code ec;
    if (!kept.file.empty()) fs::remove(kept.file, ec);
    report("stored the kept log " + kept.log.guid() + " of client '" + kept.client_id + "'");
  }
  std::lock_guard<std::mutex> lock(mu_);
  still.insert(still.end(), std::make_move_iterator(kept_.begin()),
               std::make_move_iterator(kept_.end()));
  kept_ = std::move(still);
  return kept_.size();
}

std::size_t LogSpool::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return kept_.size();
}

}  // namespace databus::dispatch
