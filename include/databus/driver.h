// Driver: one transport run ("drive") of one client passenger (docs/architecture.md "The transport
// algorithm").
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "databus/attachment_content.h"
#include "databus/client.h"
#include "databus/database.h"
#include "databus/host_access.h"
#include "databus/log.h"
#include "databus/observer.h"

namespace databus {

struct Factories;

// Everything one drive needs. Pointers are non-null and outlive the drive.
struct DriveRequest {
  std::string client_id;
  ClientPassenger passenger;
  Database* database = nullptr;
  const Factories* factories = nullptr;
  Log* log = nullptr;                       // The drive's log; the caller stores it.
  DispatcherObserver* observer = nullptr;   // Never throws (the dispatcher wraps it).
  const std::atomic<bool>* stop = nullptr;  // Set when shutting down; may be null.
  // True when this drive must start no new step (e.g. its node's lease on
  // the client passenger is lost or about to end, coordination.h); may be
  // empty. Checked where `stop` is, and must be as cheap.
  std::function<bool()> stop_requested;
  std::filesystem::path data_dir;
  // Where and from which size on components spool large attachments
  // (attachment_content.h); given to every component it makes.
  SpoolSettings spool;
  // The client's host_access: given to every component it makes
  // (ComponentEnv::host_delegation). Absent: nothing delegated.
  std::optional<HostDelegation> host_delegation;
};

// A driver never throws: every error is written to the drive's log, and what
// failed is retried at the next drive. Drivers are stateless between drives.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual void drive(const DriveRequest& request) = 0;
};

}  // namespace databus
