// Where a redirect after a login (the `next` parameter) may send the browser:
// only to a path on this site (docs/security.md, "Errors and redirects").
#pragma once

#include <string>
#include <string_view>

namespace databus::web {

// Returns `next` when it is a path on this site, else "/". A path on this
// site starts with one '/' and is read by every browser as a path: no second
// '/' or '\' after the first (a protocol-relative "//host"), no backslash
// anywhere (browsers read it as '/'), no control character or DEL (browsers
// drop tab, CR and LF, so "/\t/host" would become "//host"), no
// scheme ("https:..." does not start with '/'). The same rules hold for the
// value after each of up to four rounds of percent-decoding, so that
// "/%2F%2Fhost", "/%09/host" and their double encodings are refused too; a
// '%' not followed by two hex digits is refused. Spaces and bytes of 0x80
// and above (a decoded path's UTF-8) are percent-encoded in the result, so
// that the Location header is plain ASCII.
std::string same_site_target(std::string_view next);

}  // namespace databus::web
