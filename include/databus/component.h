// What every component (puller, processor, pusher) is built with and what it
// sees during a drive. Components get everything through these objects, never
// through globals (STYLE: Vector's context object).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "databus/attachment_content.h"
#include "databus/client.h"
#include "databus/host_access.h"
#include "databus/log.h"
#include "databus/passenger.h"

namespace databus {

class Database;

// Construction input of a component. One component object serves one drive.
struct ComponentEnv {
  std::string client_id;
  std::string passenger;  // The client passenger's name (passenger module).
  std::string module;     // This component's module name.
  // This component's settings from config.json, validated against its spec
  // and completed with defaults. Always an object.
  nlohmann::json settings = nlohmann::json::object();
  std::filesystem::path data_dir;  // The engine's data directory.
  // The client's host_access (docs/security.md, "Host access"): the makers
  // re-check, against the file system as it is now, the path settings
  // written inside a delegated directory root. Absent: none delegated.
  std::optional<HostDelegation> host_delegation;
  // Where and from which size on this component spools the attachments it
  // makes (AttachmentWriter, attachment_from_file): the ticket's
  // large_attachment_bytes and <data_dir>/.spool in a drive.
  SpoolSettings spool;

  // The setting `key` as T (std::string, bool, std::int64_t, double,
  // std::vector<std::string>, nlohmann::json, ...). The registry checked it
  // against the component's spec and filled in the spec's default, so a
  // component states no default and no check of its own: the spec alone
  // drives parsing (docs/architecture.md, "Component specs").
  // REQUIRES: `key` is a setting of the spec and T fits its type; a default
  // of null reads as T only when T accepts null (nlohmann::json,
  // std::optional<U>).
  template <typename T>
  T setting(const std::string& key) const {
    return settings.at(key).get<T>();
  }
};

// The drive a component call belongs to. Lives as long as the drive; not
// thread-safe (one drive runs on one thread).
class DriveContext {
 public:
  // `make_passenger` builds an empty passenger of the client passenger's type
  // (the passenger factory); `stop` may be null.
  DriveContext(std::string client_id, const ClientPassenger& passenger, Log& log,
               std::function<Passenger()> make_passenger, const std::atomic<bool>* stop = nullptr);

  const std::string& client_id() const { return client_id_; }
  const ClientPassenger& passenger() const { return *passenger_; }
  Log& log() const { return *log_; }

  // A new passenger of this drive's type, ready for a puller to fill:
  // passenger_module set by the passenger factory, a fresh internal_id,
  // pull_datetime now, the given ids and `puller_module`.
  Passenger new_passenger(std::string external_id, std::string source_system,
                          std::string puller_module) const;

  // True once the dispatcher is shutting down. Long-running components should
  // check it between items and return early; what they did not finish is
  // retried at the next drive.
  bool stop_requested() const { return stop_ != nullptr && stop_->load(); }

  // Where a component keeps its progress between drives (a puller's last
  // tracked value): the client passenger's state documents in the store
  // (Database::read_passenger_state), written behind the passenger's door
  // like its queue entries. The driver sets the store; a context without
  // one (a peek, a test that gives none) has no state.
  void set_state_store(Database* database) { state_store_ = database; }
  bool has_state_store() const { return state_store_ != nullptr; }
  // The document `name` ([A-Za-z0-9_.-]{1,100}, else ConfigError) of this
  // drive's client passenger, or nullopt when none is stored or the context
  // has no store.
  std::optional<std::string> read_state(const std::string& name) const;
  // Replaces it atomically and durably (nullopt deletes it). Throws
  // StateError when the context has no store, and what the store throws.
  void write_state(const std::string& name, const std::optional<std::string>& text) const;

 private:
  std::string client_id_;
  const ClientPassenger* passenger_;
  Log* log_;
  std::function<Passenger()> make_passenger_;
  const std::atomic<bool>* stop_;
  Database* state_store_ = nullptr;
};

}  // namespace databus
