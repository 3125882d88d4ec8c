// Test support for the hostile-connection tests (docs/security.md,
// "Hostile connections"): a raw TCP client that can send anything and
// half a request, and a WebTest whose server can be restarted with other
// limits and records its error log.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "web/web_test_support.h"

namespace databus::web::testing {

// A raw TCP connection to the server under test (20 s timeouts).
class RawSocket {
 public:
  explicit RawSocket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(RawSocket&& other) noexcept : fd_(other.fd_), connected_(other.connected_) {
    other.fd_ = -1;
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  // False once the server closed or reset the connection.
  bool send(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Everything the server sends until it closes the connection (or 20 s).
  std::string read_to_end() {
    std::string all;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return all;
      all.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

inline std::string status_line(const std::string& answer) {
  return answer.substr(0, answer.find("\r\n"));
}

inline std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

// A WebTest whose server can be restarted with other limits; the restarted
// server's error log is kept for log().
class HostileConnectionTest : public WebTest {
 protected:
  // Replaces the server with one using `limits` and `throttle`.
  void restart(const WebConnectionLimits& limits,
               const LoginThrottlePolicy& throttle = quiet_throttle()) {
    server_.reset();
    WebOptions options;
    options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
    options.port = 0;
    options.limits = limits;
    options.throttle = throttle;
    options.error_log = [this](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_ += line + "\n";
    };
    server_ = std::make_unique<WebServer>(*dispatcher_, options);
    server_->start();
  }
  static LoginThrottlePolicy quiet_throttle() {
    LoginThrottlePolicy p;
    p.slow_after = 1000;
    p.lock_after = 1000;
    return p;
  }
  std::string log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }
  // Milliseconds a GET of `path` takes; -1 when it fails or is not 200.
  static long long timed_get(Browser& b, const std::string& path) {
    const auto start = std::chrono::steady_clock::now();
    auto res = b.get(path);
    if (!res || res->status != 200) return -1;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  }

  std::mutex log_mutex_;
  std::string log_;
};

}  // namespace databus::web::testing
