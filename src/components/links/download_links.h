// "databus.processor.download_links": downloads the files an HTML or text
// attachment links to and adds them to the passenger, as the original's
// link-download processor did (docs/connectors.md, "Processors").
//
// For each text attachment whose name ends with one of `extensions`, the
// links are the href and src attributes of an HTML document (entities
// &amp; undone) and the bare http(s) URLs of a text; each distinct http or
// https link matching `pattern` (ECMAScript, searched anywhere in the URL)
// is fetched with a GET, at most `max_links` per passenger. A 2xx answer
// becomes an attachment named after the URL's last path segment (else
// "download.<ext of its Content-Type>"), text when it is UTF-8 text, else
// binary. Any failure (a non-2xx answer, a timeout, a body over
// `max_bytes`, a refused host or address) throws: the passenger keeps none
// of the downloads and the step is retried at the next drive.
//
// Reaching the network: a link's host must be in `allowed_hosts` when that
// is set, and the address it resolves to must not be one of this host or a
// private network unless `allow_private`, a setting only root may set
// (HostAccess::network; docs/security.md, "Network destinations").
// Redirects are not followed.
#pragma once

#include <cstddef>
#include <regex>
#include <string>
#include <vector>

#include "components/http/http_request.h"
#include "databus/processor.h"
#include "databus/registry.h"

namespace databus {

inline constexpr char kDownloadLinksModule[] = "databus.processor.download_links";

class DownloadLinks : public Processor {
 public:
  // Throws ConfigError naming the setting for a bad value.
  explicit DownloadLinks(const ComponentEnv& env);
  void process(DriveContext& ctx, QueueEntry& entry) override;

 private:
  std::string module_;
  HttpEndpoint endpoint_;
  std::regex pattern_;
  std::vector<std::string> extensions_;
  std::size_t max_links_ = 20;
};

ComponentSpec download_links_spec();
void register_download_links(Registry& registry);

namespace links_internal {

// The distinct http(s) links of `text`, in order of appearance.
std::vector<std::string> find_links(const std::string& text);

// The attachment name for a download of `url` answered with `content_type`.
std::string download_name(const std::string& url, const std::string& content_type);

}  // namespace links_internal

}  // namespace databus
