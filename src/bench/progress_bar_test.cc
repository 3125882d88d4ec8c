#include "bench/progress_bar.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace databus::bench {
namespace {

TEST(ProgressBarTest, RendersThePushedShare) {
  EXPECT_EQ(ProgressBar::render(10, 5, 10),
            "[###############...............] seated 10/10 pushed 5/10");
  EXPECT_EQ(ProgressBar::render(0, 0, 4), "[..............................] seated 0/4 pushed 0/4");
}

TEST(ProgressBarTest, DrawsOnTheStreamAndClearsTheLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar(out, 2);
    bar.update(2, 0);
    bar.update(2, 2);  // The last update is always drawn.
  }
  std::rewind(out);
  char buffer[512] = {};
  std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, out);
  std::fclose(out);
  std::string text(buffer, n);
  EXPECT_NE(text.find("pushed 2/2"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\r');  // Cleared and back at the start.
}

TEST(ProgressBarTest, AFileIsNotATerminal) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  EXPECT_FALSE(stream_is_terminal(out));
  std::fclose(out);
}

}  // namespace
}  // namespace databus::bench
