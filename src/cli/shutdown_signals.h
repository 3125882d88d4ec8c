// ShutdownSignals: turns SIGINT and SIGTERM into calls on a dedicated thread,
// so that `databus run` can shut the dispatcher down gracefully, and SIGHUP
// into a reload call (re-read the flags file, reopen the log file) instead of
// the default action, which would end the process.
//
// Signals are delivered to an arbitrary thread that does not block them, so
// the constructor blocks SIGINT, SIGTERM and SIGHUP in the calling thread; every
// thread started afterwards (the dispatcher's workers) inherits the mask, and
// only the waiting thread started by start() receives them, via sigwait().
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace databus::cli {

class ShutdownSignals {
 public:
  // Called on the waiting thread for each SIGINT/SIGTERM; `count` is 1 for
  // the first signal, 2 for the second, ...
  using Handler = std::function<void(int signal, int count)>;
  // Called on the waiting thread for each SIGHUP.
  using ReloadHandler = std::function<void()>;

  // REQUIRES: called before any other thread is started (the mask is
  // inherited only by threads created afterwards).
  ShutdownSignals();
  // stop(), then restores the previous signal mask.
  ~ShutdownSignals();

  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Starts the waiting thread. Call at most once. Without `reload`, a SIGHUP
  // is received and ignored (it never ends the process).
  void start(Handler handler, ReloadHandler reload = {});

  // Stops the waiting thread; the handler is not called any more once this
  // returns. Signals arriving later stay pending and are discarded by the
  // destructor. Idempotent.
  void stop();

 private:
  sigset_t signals_;
  sigset_t previous_mask_;
  std::atomic<bool> stopping_{false};
  std::thread waiter_;
};

}  // namespace databus::cli
