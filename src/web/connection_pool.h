// The task queue of the web server's connections (docs/security.md,
// "Hostile connections"): httplib hands it one task per accepted
// connection, which serves the connection to its end. Each task gets a
// thread of its own, made when no thread is free, up to `max_threads`;
// further connections wait until one ends. So a connection that is idle or
// slow holds only its own thread, never one a healthy request needs, and
// the connections' own timeouts (connection.h) end it.
//
// Thread-safety: enqueue() from httplib's listening thread, shutdown() once
// after the last enqueue().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "web/http.h"

namespace databus::web {

class ConnectionPool : public httplib::TaskQueue {
 public:
  // REQUIRES: max_threads > 0.
  explicit ConnectionPool(std::size_t max_threads);
  // Shuts down when shutdown() was not called.
  ~ConnectionPool() override;

  void enqueue(std::function<void()> task) override;
  // Runs the tasks still waiting, then joins every thread.
  void shutdown() override;

 private:
  void work();

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // Guarded by mutex_.
  std::vector<std::thread> threads_;         // Guarded by mutex_.
  std::size_t idle_ = 0;                     // Guarded by mutex_.
  bool stopping_ = false;                    // Guarded by mutex_.
};

}  // namespace databus::web
