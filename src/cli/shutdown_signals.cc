#include "cli/shutdown_signals.h"

#include <pthread.h>

namespace databus::cli {

ShutdownSignals::ShutdownSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
}

void ShutdownSignals::stop() {
  if (!waiter_.joinable()) return;
  // Wake the waiter with a signal aimed at its thread alone; it sees
  // stopping_ and returns without calling the handler.
  stopping_ = true;
  pthread_kill(waiter_.native_handle(), SIGTERM);
  waiter_.join();
}

ShutdownSignals::~ShutdownSignals() {
  stop();
  // A signal that arrived after the waiter stopped stays pending and would be
  // delivered on unblocking: drop it, we are on our way out anyway.
  sigset_t pending;
  sigpending(&pending);
  const timespec zero{0, 0};
  while ((sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 ||
          sigismember(&pending, SIGHUP) == 1) &&
         sigtimedwait(&signals_, nullptr, &zero) > 0) {
    sigpending(&pending);
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void ShutdownSignals::start(Handler handler, ReloadHandler reload) {
  waiter_ = std::thread([this, handler = std::move(handler), reload = std::move(reload)] {
    int count = 0;
    while (true) {
      int signal = 0;
      if (sigwait(&signals_, &signal) != 0) continue;
      if (stopping_) return;
      if (signal == SIGHUP) {
        if (reload) reload();
        continue;
      }
      handler(signal, ++count);
    }
  });
}

}  // namespace databus::cli
