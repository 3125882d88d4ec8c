// DispatcherService: something a dispatcher runs beside its drives, started by
// Dispatcher::start() and stopped when the dispatcher stops. The web interface
// is one (web_server.h); the ticket's web_server_factory makes it.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace databus {

class Dispatcher;
struct DispatcherTicket;

class DispatcherService {
 public:
  virtual ~DispatcherService() = default;

  // Starts serving and returns once it serves. Throws when it cannot (for
  // example a port in use); Dispatcher::start() then starts nothing.
  virtual void start() = 0;
  // Stops serving and waits for its threads. Idempotent. Never called from
  // one of the service's own threads.
  virtual void stop() = 0;
  // Where it serves, e.g. "http://127.0.0.1:5000/"; valid after start().
  virtual std::string address() const = 0;
};

// Makes the service of a dispatcher. `dispatcher` outlives the service; the
// ticket is the dispatcher's (its factories filled in).
using DispatcherServiceFactory = std::function<std::unique_ptr<DispatcherService>(
    Dispatcher& dispatcher, const DispatcherTicket& ticket)>;

}  // namespace databus
