#include "storage/json_db/client_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include <nlohmann/json.hpp>

#include "databus/error.h"
#include "databus/uuid.h"
#include "fs/atomic_file.h"
#include "storage/storage_names.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;
constexpr std::size_t kUuidLength = 36;

TimePoint modification_time(const stdfs::path& path) {
  auto sys = std::chrono::file_clock::to_sys(stdfs::last_write_time(path));
  return std::chrono::time_point_cast<Clock::duration>(sys);
}

}  // namespace

ClientStore::ClientStore(stdfs::path client_dir, std::string client_id)
    : dir_(std::move(client_dir)), client_id_(std::move(client_id)) {}

bool ClientStore::exists() const {
  std::error_code ec;
  return stdfs::is_regular_file(config_path(), ec);
}

std::string ClientStore::read_config_text() const {
  std::lock_guard<std::mutex> guard(config_mutex_);
  if (!exists()) throw NotFoundError("unknown client '" + client_id_ + "'");
  return durable::read_file(config_path());
}

VersionedText ClientStore::read_versioned_locked() const {
  VersionedText out;
  out.text = durable::read_file(config_path());
  out.version = ConfigVersion::of_text(out.text, modification_time(config_path()));
  std::error_code ec;
  if (!stdfs::is_regular_file(saved_by_path(), ec)) return out;
  try {
    const nlohmann::json j = nlohmann::json::parse(durable::read_file(saved_by_path()));
    if (j.value("tag", "") == out.version.tag) out.version.saved_by = j.value("saved_by", "");
  } catch (const nlohmann::json::exception&) {
    // Unreadable: who saved it is unknown, which is all this file tells.
  }
  return out;
}

VersionedText ClientStore::read_config_versioned() const {
  std::lock_guard<std::mutex> guard(config_mutex_);
  if (!exists()) throw NotFoundError("unknown client '" + client_id_ + "'");
  return read_versioned_locked();
}

ConfigVersion ClientStore::write_config_text_if(const std::string& text,
                                                const std::string& expected_tag,
                                                const std::string& saved_by) {
  std::lock_guard<std::mutex> guard(config_mutex_);
  if (!exists()) throw NotFoundError("unknown client '" + client_id_ + "'");
  const VersionedText current = read_versioned_locked();
  if (current.version.tag != expected_tag) {
    throw EditConflictError("the configuration of client '" + client_id_ + "'", expected_tag,
                            current.version);
  }
  durable::write_file_atomically(config_path(), text);
  ConfigVersion written = ConfigVersion::of_text(text, modification_time(config_path()));
  written.saved_by = saved_by;
  durable::write_file_atomically(
      saved_by_path(), nlohmann::json{{"tag", written.tag}, {"saved_by", saved_by}}.dump());
  return written;
}

ClientConfig ClientStore::load_config() const {
  return ClientConfig::parse(client_id_, read_config_text(), config_path().string());
}

void ClientStore::write_config_text(const std::string& text) {
  // The file's new time makes a stale config.saved-by.json count no more.
  std::lock_guard<std::mutex> guard(config_mutex_);
  durable::create_directories_durably(dir_);
  durable::write_file_atomically(config_path(), text);
}

void ClientStore::write_backup(const std::string& node, const std::string& text) {
  check_file_name_id("customizing node", node);
  durable::create_directories_durably(backup_dir());
  durable::write_file_atomically(backup_dir() / (new_uuid() + "-" + node + ".json"), text);
}

std::vector<BackupInfo> ClientStore::list_backups() const {
  std::vector<BackupInfo> out;
  std::error_code ec;
  if (!stdfs::is_directory(backup_dir(), ec)) return out;
  for (const auto& item : stdfs::directory_iterator(backup_dir())) {
    const std::string name = item.path().filename().string();
    if (!item.is_regular_file(ec) || durable::is_temporary_name(name)) continue;
    if (name.size() <= kUuidLength + 1 + 5 || !name.ends_with(".json") ||
        name[kUuidLength] != '-' || !is_uuid(name.substr(0, kUuidLength))) {
      continue;  // Not a backup we can name; left alone.
    }
    BackupInfo info;
    info.id = name.substr(0, name.size() - 5);
    info.node = name.substr(kUuidLength + 1, name.size() - 5 - kUuidLength - 1);
    info.created = modification_time(item.path());
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const BackupInfo& a, const BackupInfo& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  return out;
}

std::optional<std::string> ClientStore::read_backup(const std::string& backup_id) const {
  check_file_name_id("backup id", backup_id);
  const stdfs::path path = backup_dir() / (backup_id + ".json");
  std::error_code ec;
  if (!stdfs::is_regular_file(path, ec)) return std::nullopt;
  return durable::read_file(path);
}

void ClientStore::restore_backup(const BackupInfo& info, const std::string& text) {
  check_backup_id(info.id, info.node);
  durable::create_directories_durably(backup_dir());
  const stdfs::path path = backup_dir() / (info.id + ".json");
  durable::write_file_atomically(path, text);
  // A crash before the sync below leaves the backup with the time of the
  // write: newer, so kept longer, never lost.
  const auto micros = std::chrono::floor<std::chrono::microseconds>(info.created);
  stdfs::last_write_time(path, std::chrono::file_clock::from_sys(micros));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw StorageError("cannot sync the time of backup " + path.string());
  }
  ::close(fd);
}

std::size_t ClientStore::delete_backups_before(TimePoint before) {
  std::size_t n = 0;
  for (const BackupInfo& info : list_backups()) {
    if (info.created < before) {
      stdfs::remove(backup_dir() / (info.id + ".json"));
      ++n;
    }
  }
  if (n > 0) durable::sync_directory(backup_dir());
  return n;
}

}  // namespace databus
