// HTML output helpers. Every value that reaches a page goes through
// escape_html(); pages never concatenate unescaped data.
#pragma once

#include <string>
#include <string_view>

namespace databus::web {

// Escapes & < > " ' so that the result is safe as element text and inside a
// double- or single-quoted attribute value.
std::string escape_html(std::string_view text);

// Percent-encodes everything outside [A-Za-z0-9._~-], for one URL path
// segment or query value.
std::string url_encode(std::string_view text);

// A file name safe inside a quoted Content-Disposition parameter: every byte
// outside [A-Za-z0-9._ ()-] becomes '_'; an empty result becomes "download".
std::string safe_download_name(std::string_view name);

}  // namespace databus::web
