// StateStore: the client passenger state documents of one client in the JSON
// DB (Database::read_passenger_state()): clients/<id>/state/<passenger>/<name>.json,
// each replaced whole and atomically (written beside, synced, renamed).
// Unsynced writes skip the syncs.
//
// Thread-safety: thread-safe; writes of one document are ordered by a mutex
// (the dispatcher writes a passenger's documents from its drive only).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace databus {

class StateStore {
 public:
  explicit StateStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // REQUIRES for all: the passenger and name passed check_passenger_state_key().
  std::optional<std::string> read(const std::string& passenger, const std::string& name) const;
  // Unless `synced`, atomic against the process ending but not synced
  // (Database::write_passenger_state_unsynced()).
  void write(const std::string& passenger, const std::string& name,
             const std::optional<std::string>& text, bool synced = true);
  std::map<std::string, std::string> list(const std::string& passenger) const;

 private:
  std::filesystem::path path_of(const std::string& passenger, const std::string& name) const {
    return dir_ / passenger / (name + ".json");
  }

  const std::filesystem::path dir_;  // clients/<id>/state
  std::mutex write_mutex_;
};

}  // namespace databus
