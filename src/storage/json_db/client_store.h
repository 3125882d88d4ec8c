// ClientStore: the configuration and the customizing backups of one client in
// the JSON DB: clients/<id>/config.json and clients/<id>/backup/<uuid>-<node>.json.
// A client exists when its config.json does.
//
// Thread-safety: thread-safe; every write replaces a whole file atomically.
#pragma once

#include <filesystem>
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

  // A backup's time is its file's modification time.
  void write_backup(const std::string& node, const std::string& text);
  std::vector<BackupInfo> list_backups() const;
  std::size_t delete_backups_before(TimePoint before);
  std::optional<std::string> read_backup(const std::string& backup_id) const;
  // Writes the file, then sets its modification time to info.created.
  void restore_backup(const BackupInfo& info, const std::string& text);

 private:
  std::filesystem::path config_path() const { return dir_ / "config.json"; }
  std::filesystem::path backup_dir() const { return dir_ / "backup"; }

  const std::filesystem::path dir_;
  const std::string client_id_;
};

}  // namespace databus
