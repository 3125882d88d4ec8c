// ConfigErrors: the clients whose configuration could not be loaded at the
// last cycle. Each message is printed in the process log once, when it first
// appears or changes, not at every cycle.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace databus::dispatch {

class ConfigErrors {
 public:
  // Records that `client_id`'s configuration failed with `message`.
  void failed(const std::string& client_id, const std::string& message);
  // Records that `client_id`'s configuration loaded.
  void loaded(const std::string& client_id);
  // Forgets clients not in `client_ids`.
  void retain(const std::set<std::string>& client_ids);
  // "client '<id>': <message>" for each failing client, sorted by client.
  std::vector<std::string> list() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> messages_;  // Guarded by mu_.
};

}  // namespace databus::dispatch
