// What the fuzz targets share: a check that stops the run the way a sanitizer
// report does, so that libFuzzer keeps the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace databus::fuzz {

// Aborts with `what` on stderr unless `ok`: a broken contract of the reader
// under test (e.g. a value that does not survive writing and reading back).
inline void check(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// The input as text.
inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace databus::fuzz
