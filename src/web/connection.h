// One accepted connection of the web server, as the httplib::Stream that
// httplib's request parser reads from and writes to (docs/security.md,
// "Hostile connections").
//
// The connection owns every timeout: httplib 0.11 knows only one timeout per
// read, which a client sending a byte at a time never reaches. A connection
// is in one of three phases:
//   idle  no request in progress; await_request() waits idle_timeout for
//         the first byte of the next one;
//   head  from that byte to the end of the headers: header_timeout in all,
//         64 KiB at most;
//   body  from the end of the headers (begin_body()) to the response:
//         body_timeout in all, and reads stop at the body limit, which
//         body_limit_exceeded() then reports (the server answers 413).
// Every wait also ends when the server stops (the `stop_fd` becomes
// readable). The socket is non-blocking; plain TCP and TLS (OpenSSL, on a
// context of httplib's SSLServer) are read the same way.
//
// Thread-safety: one thread at a time (the one serving the connection).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>

#include "databus/web_server.h"
#include "web/http.h"

namespace databus::web {

class Connection : public httplib::Stream {
 public:
  // `sock` stays the caller's to close; `tls` null: plain TCP.
  Connection(int sock, SSL_CTX* tls, const WebConnectionLimits& limits, int stop_fd);
  ~Connection() override;

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The TLS handshake, within header_timeout; true at once without TLS.
  bool handshake();
  // Waits for the first byte of the next request (idle phase); true once it
  // is there (head phase), false on timeout, close, error or stop.
  bool await_request();
  // The request's headers are read: the body phase begins, with `limit`.
  void begin_body(std::size_t limit);
  // Changes the limit of the current body (after authentication).
  void set_body_limit(std::size_t limit) { body_limit_ = limit; }
  std::size_t body_limit() const { return body_limit_; }
  // The request's headers were not all read (httplib refused them).
  bool reading_headers() const { return phase_ == Phase::head; }
  // A read was refused because the body went past its limit.
  bool body_limit_exceeded() const { return limit_exceeded_; }
  // A wait of the current phase ran out of time.
  bool timed_out() const { return timed_out_; }
  // The connection must end after the current response (e.g. its body was
  // left unread).
  void close_after_response() { close_after_response_ = true; }
  bool must_close() const { return close_after_response_ || limit_exceeded_ || timed_out_; }
  // Ends the TLS session and the sending side; when the client may still be
  // sending a body we refused, reads and drops it for a moment, so that the
  // client reads our answer instead of a reset.
  void finish();

  // httplib::Stream: read() returns 0 at the end of the stream and -1 on
  // error, timeout, stop or past a limit.
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  enum class Phase { idle, head, body };
  // What one non-blocking transfer did: n > 0 bytes, 0 the end of the
  // stream, -1 an error; n < 0 with `wait` != 0: retry once `wait`
  // (POLLIN or POLLOUT) is ready.
  struct Io {
    ssize_t n = -1;
    short wait = 0;
  };

  Io receive(char* ptr, std::size_t size);
  Io send(const char* ptr, std::size_t size);
  // What an SSL_read (`reading`) or SSL_write that returned `n` did. The
  // peer's clean close is the end of the stream for a read, an error for a
  // write.
  Io ssl_outcome(int n, bool reading) const;
  // Waits until the socket is ready for `events`; false on timeout (noted
  // in timed_out_) or stop.
  bool wait(short events, Deadline deadline) const;
  // Reads what is there into the empty buffer, waiting until deadline_;
  // false at the end of the stream, on error, timeout or stop.
  bool fill();

  const int sock_;
  SSL* ssl_ = nullptr;
  const WebConnectionLimits limits_;
  const int stop_fd_;
  Phase phase_ = Phase::idle;
  Deadline deadline_{};
  std::size_t head_bytes_ = 0;
  std::size_t body_bytes_ = 0;
  std::size_t body_limit_ = 0;
  bool limit_exceeded_ = false;
  mutable bool timed_out_ = false;
  bool close_after_response_ = false;
  bool at_end_ = false;
  std::array<char, 16 * 1024> buffer_;
  std::size_t begin_ = 0;  // buffer_[begin_, end_) is read but not consumed.
  std::size_t end_ = 0;
};

// The connection whose request the calling thread serves, or null (for the
// server's pre-routing and error handlers).
Connection* current_connection();

// Makes `connection` the calling thread's current one for its lifetime.
class CurrentConnection {
 public:
  explicit CurrentConnection(Connection* connection);
  ~CurrentConnection();
  CurrentConnection(const CurrentConnection&) = delete;
  CurrentConnection& operator=(const CurrentConnection&) = delete;
};

}  // namespace databus::web
