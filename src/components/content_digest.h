// content_digest(): the external id connectors give a passenger whose source
// names none (an HTTP body, an e-mail without Message-ID, a webhook post),
// so that the same content is queued once.
#pragma once

#include <string>
#include <string_view>

namespace databus {

// "blake2b:" and the lower-case hex BLAKE2b-256 digest of `bytes`.
std::string content_digest(std::string_view bytes);

}  // namespace databus
