#include "storage/json_db/log_store.h"

#include <algorithm>
#include <tuple>

#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;
constexpr std::size_t kGuidLength = 36;
constexpr std::string_view kSuffix = ".txt";

// Splits "<time>_<guid>.txt"; false when the name is not of that form.
bool parse_file_name(const std::string& name, std::string& guid, TimePoint& created) {
  if (name.size() < kGuidLength + kSuffix.size() + 2 || !name.ends_with(kSuffix)) return false;
  const std::size_t guid_at = name.size() - kSuffix.size() - kGuidLength;
  if (name[guid_at - 1] != '_') return false;
  guid = name.substr(guid_at, kGuidLength);
  if (!is_uuid(guid)) return false;
  std::string time = name.substr(0, guid_at - 1);
  std::replace(time.begin(), time.end(), '_', ':');
  try {
    created = parse_iso(time);
  } catch (const std::invalid_argument&) {
    return false;
  }
  return true;
}

}  // namespace

bool LogStore::is_ignored_name(const std::string& name) {
  return name == kPlaceholderFile || name.starts_with(".");
}

LogStore::LogStore(stdfs::path log_dir, std::string client_id)
    : dir_(std::move(log_dir)), client_id_(std::move(client_id)) {}

std::string LogStore::file_name(const Log& log) {
  std::string time = to_iso(log.created());
  std::replace(time.begin(), time.end(), ':', '_');
  return time + "_" + log.guid() + std::string(kSuffix);
}

void LogStore::ensure_scanned() {
  if (scanned_) return;
  std::error_code ec;
  if (stdfs::is_directory(dir_, ec)) {
    for (const auto& item : stdfs::directory_iterator(dir_)) {
      const std::string name = item.path().filename().string();
      if (durable::is_temporary_name(name)) {
        stdfs::remove(item.path(), ec);
        continue;
      }
      if (!item.is_regular_file(ec) || is_ignored_name(name)) continue;
      // What this engine did not write, or cannot read, is reported and
      // left alone: it must not keep the client's drives from storing logs.
      std::string guid;
      TimePoint created;
      if (!parse_file_name(name, guid, created)) {
        problems_.push_back({client_id_, item.path().string(),
                             "log file name is not <ISO time>_<log guid>.txt; left alone",
                             StorageProblem::Kind::stray_item});
        continue;
      }
      try {
        const std::string text = durable::read_file(item.path());
        const Log log = Log::from_text(guid, created, text);
        logs_[guid] = Cached{{guid, created, log.worst_type()}, name};
      } catch (const std::exception& e) {
        problems_.push_back({client_id_, item.path().string(),
                             std::string("log file cannot be read: ") + e.what() + "; left alone",
                             StorageProblem::Kind::stray_item});
      }
    }
  }
  scanned_ = true;
}

void LogStore::write(const Log& log) {
  check_uuid("log guid", log.guid());
  std::lock_guard<std::mutex> guard(mutex_);
  ensure_scanned();
  durable::create_directories_durably(dir_);
  const std::string name = file_name(log);
  durable::write_file_atomically(dir_ / name, log.to_text());
  auto old = logs_.find(log.guid());
  if (old != logs_.end() && old->second.file_name != name) remove_file(old->second.file_name);
  // The time as the file name keeps it (microseconds), as a rescan would see it.
  const TimePoint created = parse_iso(to_iso(log.created()));
  logs_[log.guid()] = Cached{{log.guid(), created, log.worst_type()}, name};
}

std::vector<LogSummary> LogStore::list() {
  std::lock_guard<std::mutex> guard(mutex_);
  ensure_scanned();
  std::vector<LogSummary> out;
  out.reserve(logs_.size());
  for (const auto& [guid, cached] : logs_) out.push_back(cached.summary);
  std::sort(out.begin(), out.end(), [](const LogSummary& a, const LogSummary& b) {
    return std::tie(b.created, b.guid) < std::tie(a.created, a.guid);
  });
  return out;
}

std::optional<Log> LogStore::read(const std::string& guid) {
  check_uuid("log guid", guid);
  std::lock_guard<std::mutex> guard(mutex_);
  ensure_scanned();
  auto it = logs_.find(guid);
  if (it == logs_.end()) return std::nullopt;
  const std::string text = durable::read_file(dir_ / it->second.file_name);
  return Log::from_text(guid, it->second.summary.created, text);
}

void LogStore::remove_file(const std::string& name) {
  std::error_code ec;
  stdfs::remove(dir_ / name, ec);
  if (ec) throw StorageError("cannot remove " + (dir_ / name).string() + ": " + ec.message());
}

std::size_t LogStore::delete_before(TimePoint before) {
  std::lock_guard<std::mutex> guard(mutex_);
  ensure_scanned();
  std::size_t n = 0;
  for (auto it = logs_.begin(); it != logs_.end();) {
    if (it->second.summary.created < before) {
      remove_file(it->second.file_name);
      it = logs_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  if (n > 0) durable::sync_directory(dir_);
  return n;
}

bool LogStore::remove(const std::string& guid) {
  check_uuid("log guid", guid);
  std::lock_guard<std::mutex> guard(mutex_);
  ensure_scanned();
  auto it = logs_.find(guid);
  if (it == logs_.end()) return false;
  remove_file(it->second.file_name);
  logs_.erase(it);
  durable::sync_directory(dir_);
  return true;
}

std::vector<StorageProblem> LogStore::problems() {
  std::lock_guard<std::mutex> guard(mutex_);
  ensure_scanned();
  return problems_;
}

}  // namespace databus
