#include "bench/progress_bar.h"

#include <unistd.h>

#include <algorithm>

namespace databus::bench {
namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

bool stream_is_terminal(std::FILE* stream) {
  return stream != nullptr && ::isatty(::fileno(stream)) == 1;
}

ProgressBar::ProgressBar(std::FILE* out, std::size_t total) : out_(out), total_(total) {}

ProgressBar::~ProgressBar() {
  if (!drawn_) return;
  // Blank the line so the result line starts clean.
  std::fprintf(out_, "\r%*s\r", kBarWidth + 60, "");
  std::fflush(out_);
}

std::string ProgressBar::render(std::size_t seated, std::size_t pushed, std::size_t total) {
  const std::size_t shown = std::min(pushed, total);
  const int filled = total == 0 ? kBarWidth : static_cast<int>(shown * kBarWidth / total);
  std::string line = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
  line += "seated " + std::to_string(seated) + "/" + std::to_string(total);
  line += " pushed " + std::to_string(pushed) + "/" + std::to_string(total);
  return line;
}

void ProgressBar::update(std::size_t seated, std::size_t pushed) {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval && pushed < total_) return;
  last_draw_ = now;
  drawn_ = true;
  std::fprintf(out_, "\r%s", render(seated, pushed, total_).c_str());
  std::fflush(out_);
}

}  // namespace databus::bench
