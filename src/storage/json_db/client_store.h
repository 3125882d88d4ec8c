// ClientStore: the configuration and the customizing backups of one client in
// the JSON DB: clients/<id>/config.json and clients/<id>/backup/<uuid>-<node>.json.
// A client exists when its config.json does.
//
// The configuration's version (config_version.h) is the file's own:
// ConfigVersion::of_text(text, modification time), so that an edit by hand
// changes it as a save does. Who saved it is kept beside it in
// config.saved-by.json ({"tag", "saved_by"}), which counts only while its
// tag is the file's (a crash between the two writes, or an edit by hand,
// makes the saver unknown, nothing else).
//
// Thread-safety: thread-safe; every write replaces a whole file atomically.
// The configuration's reads and writes take one mutex: with the store's
// process lock (one process per data directory), that makes
// write_config_text_if() atomic against every other save.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "databus/database.h"

namespace databus {

class ClientStore {
 public:
  ClientStore(std::filesystem::path client_dir, std::string client_id);

  bool exists() const;
  // Throws NotFoundError when the client has no config.json.
  std::string read_config_text() const;
  ClientConfig load_config() const;
  void write_config_text(const std::string& text);
  VersionedText read_config_versioned() const;
  // Database::write_client_config_text_if().
  ConfigVersion write_config_text_if(const std::string& text, const std::string& expected_tag,
                                     const std::string& saved_by);

  // A backup's time is its file's modification time.
  void write_backup(const std::string& node, const std::string& text);
  std::vector<BackupInfo> list_backups() const;
  std::size_t delete_backups_before(TimePoint before);
  std::optional<std::string> read_backup(const std::string& backup_id) const;
  // Writes the file, then sets its modification time to info.created.
  void restore_backup(const BackupInfo& info, const std::string& text);

 private:
  std::filesystem::path config_path() const { return dir_ / "config.json"; }
  std::filesystem::path saved_by_path() const { return dir_ / "config.saved-by.json"; }
  // REQUIRES: config_mutex_ held, the client exists.
  VersionedText read_versioned_locked() const;
  std::filesystem::path backup_dir() const { return dir_ / "backup"; }

  const std::filesystem::path dir_;
  const std::string client_id_;
  mutable std::mutex config_mutex_;  // Orders the configuration's reads and writes.
};

}  // namespace databus
