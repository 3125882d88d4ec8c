#include "web/connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace databus::web {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Request line and headers together; httplib limits each line to 8 KiB but
// not their number.
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
// How long and how much finish() reads of a body nobody will look at.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

thread_local Connection* t_current = nullptr;

void address_of(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) == 0) {
    ip = host;
  }
  if (addr.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  } else if (addr.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
}

}  // namespace

Connection::Connection(int sock, SSL_CTX* tls, const WebConnectionLimits& limits, int stop_fd)
    : sock_(sock), limits_(limits), stop_fd_(stop_fd) {
  fcntl(sock_, F_SETFL, fcntl(sock_, F_GETFL) | O_NONBLOCK);
  // Headers and body go out in separate writes; without this, each response
  // on a keep-alive connection would wait for the client's delayed ACK.
  int yes = 1;
  setsockopt(sock_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  if (tls != nullptr) {
    ssl_ = SSL_new(tls);
    if (ssl_ != nullptr) SSL_set_fd(ssl_, sock_);
  }
}

Connection::~Connection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

bool Connection::handshake() {
  if (ssl_ == nullptr) return true;
  const Deadline deadline = SteadyClock::now() + limits_.header_timeout;
  for (;;) {
    ERR_clear_error();
    const int r = SSL_accept(ssl_);
    if (r == 1) return true;
    const int error = SSL_get_error(ssl_, r);
    short events = 0;
    if (error == SSL_ERROR_WANT_READ) events = POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events == 0 || !wait(events, deadline)) return false;
  }
}

bool Connection::await_request() {
  phase_ = Phase::idle;
  if (begin_ == end_) {
    deadline_ = SteadyClock::now() + limits_.idle_timeout;
    if (!fill()) return false;
  }
  phase_ = Phase::head;
  head_bytes_ = 0;
  deadline_ = SteadyClock::now() + limits_.header_timeout;
  return true;
}

void Connection::begin_body(std::size_t limit) {
  phase_ = Phase::body;
  body_bytes_ = 0;
  body_limit_ = limit;
  deadline_ = SteadyClock::now() + limits_.body_timeout;
}

ssize_t Connection::read(char* ptr, size_t size) {
  if (size == 0) return 0;
  if (phase_ == Phase::body) {
    if (body_bytes_ >= body_limit_) {
      limit_exceeded_ = true;
      return -1;
    }
    size = std::min(size, body_limit_ - body_bytes_);
  } else {
    if (head_bytes_ >= kMaxHeadBytes) {
      close_after_response_ = true;  // What follows cannot be told apart.
      return -1;
    }
    size = std::min(size, kMaxHeadBytes - head_bytes_);
  }
  if (begin_ == end_ && !fill()) return at_end_ ? 0 : -1;
  const std::size_t n = std::min(size, end_ - begin_);
  std::memcpy(ptr, buffer_.data() + begin_, n);
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
  (phase_ == Phase::body ? body_bytes_ : head_bytes_) += n;
  return static_cast<ssize_t>(n);
}

ssize_t Connection::write(const char* ptr, size_t size) {
  const Deadline deadline = SteadyClock::now() + limits_.write_timeout;
  std::size_t done = 0;
  while (done < size) {
    const Io io = send(ptr + done, size - done);
    if (io.n > 0) {
      done += static_cast<std::size_t>(io.n);
    } else if (io.wait == 0 || !wait(io.wait, deadline)) {
      return -1;
    }
  }
  return static_cast<ssize_t>(size);
}

bool Connection::is_readable() const {
  if (begin_ != end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0)) return true;
  return wait(POLLIN, deadline_);
}

bool Connection::is_writable() const {
  return wait(POLLOUT, SteadyClock::now() + limits_.write_timeout);
}

void Connection::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    address_of(addr, len, ip, port);
  }
}

void Connection::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    address_of(addr, len, ip, port);
  }
}

void Connection::finish() {
  if (ssl_ != nullptr) {
    // One close_notify; the client's is not waited for.
    ERR_clear_error();
    SSL_shutdown(ssl_);
  }
  ::shutdown(sock_, SHUT_WR);
  if (!(close_after_response_ || limit_exceeded_) || timed_out_ || at_end_) return;
  // The client may still be sending the body we refused: closing now would
  // reset the connection, and the client could lose our answer with it.
  const Deadline deadline = SteadyClock::now() + kLingerTime;
  std::size_t dropped = 0;
  while (dropped < kLingerBytes) {
    const ssize_t n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
    if (n > 0) {
      dropped += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return;
    if (errno == EINTR) continue;
    if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait(POLLIN, deadline)) return;
  }
}

Connection::Io Connection::ssl_outcome(int n, bool reading) const {
  if (n > 0) return {n, 0};
  switch (SSL_get_error(ssl_, n)) {
    case SSL_ERROR_WANT_READ:
      return {-1, POLLIN};
    case SSL_ERROR_WANT_WRITE:
      return {-1, POLLOUT};
    case SSL_ERROR_ZERO_RETURN:
      return {reading ? 0 : -1, 0};
    default:
      return {-1, 0};
  }
}

Connection::Io Connection::receive(char* ptr, std::size_t size) {
  if (ssl_ != nullptr) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    return ssl_outcome(n, true);
  }
  for (;;) {
    const ssize_t n = ::recv(sock_, ptr, size, 0);
    if (n >= 0) return {n, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {-1, POLLIN};
    return {-1, 0};
  }
}

Connection::Io Connection::send(const char* ptr, std::size_t size) {
  if (ssl_ != nullptr) {
    ERR_clear_error();
    const int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    return ssl_outcome(n, false);
  }
  for (;;) {
    const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    if (n >= 0) return {n, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {-1, POLLOUT};
    return {-1, 0};
  }
}

bool Connection::wait(short events, Deadline deadline) const {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      timed_out_ = true;
      return false;
    }
    pollfd fds[2] = {{sock_, events, 0}, {stop_fd_, POLLIN, 0}};
    const int r = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
    if (r < 0 && errno != EINTR) return false;
    if (r > 0 && fds[1].revents != 0) return false;  // The server stops.
    if (r > 0 && fds[0].revents != 0) return true;   // Ready, or an error the next call sees.
  }
}

bool Connection::fill() {
  begin_ = end_ = 0;
  for (;;) {
    const Io io = receive(buffer_.data(), buffer_.size());
    if (io.n > 0) {
      end_ = static_cast<std::size_t>(io.n);
      return true;
    }
    if (io.n == 0) {
      at_end_ = true;
      return false;
    }
    if (io.wait == 0 || !wait(io.wait, deadline_)) return false;
  }
}

Connection* current_connection() { return t_current; }

CurrentConnection::CurrentConnection(Connection* connection) { t_current = connection; }

CurrentConnection::~CurrentConnection() { t_current = nullptr; }

}  // namespace databus::web
