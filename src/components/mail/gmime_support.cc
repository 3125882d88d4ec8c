#include "components/mail/gmime_support.h"

#include <mutex>

namespace databus::gmime {

void ensure_initialised() {
  static std::once_flag once;
  // g_mime_shutdown() is never called: GMime then lives as long as the
  // process, like libcurl's global state.
  std::call_once(once, [] { g_mime_init(); });
}

std::string stream_bytes(GMimeStream* memory_stream) {
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory_stream));
  if (bytes == nullptr || bytes->len == 0) return {};
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace databus::gmime
