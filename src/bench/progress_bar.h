// ProgressBar: the one-line progress display of `databus bench` on a
// terminal. It redraws the line in place ("\r") at most ten times a second,
// so drawing costs nothing measurable, and clears it when done. Whether to
// show one at all is the caller's choice (only when the stream is a
// terminal; see stream_is_terminal()).
//
// Thread-safety: none; the drive's thread reports progress.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace databus::bench {

// True when `stream` is attached to a terminal (isatty).
bool stream_is_terminal(std::FILE* stream);

class ProgressBar {
 public:
  // REQUIRES: `out` outlives the bar. `total` passengers make 100 %.
  ProgressBar(std::FILE* out, std::size_t total);
  ~ProgressBar();  // Clears the line.
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Records how many passengers are seated and how many are fully pushed;
  // redraws when the last drawing is more than 100 ms old.
  void update(std::size_t seated, std::size_t pushed);

  // The text of the line for these counts (no "\r"): a bar of the pushed
  // share, then "seated S/T pushed P/T". Exposed for tests.
  static std::string render(std::size_t seated, std::size_t pushed, std::size_t total);

 private:
  std::FILE* out_;
  std::size_t total_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace databus::bench
