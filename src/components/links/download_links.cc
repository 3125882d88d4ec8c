#include "components/links/download_links.h"

#include <algorithm>

#include "components/directory/directory_components.h"
#include "components/http/http_components.h"
#include "components/settings.h"
#include "databus/attachment_content.h"
#include "databus/error.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;

namespace links_internal {

namespace {

std::string undo_entities(std::string url) {
  for (std::size_t at = url.find("&amp;"); at != std::string::npos;
       at = url.find("&amp;", at + 1)) {
    url.replace(at, 5, "&");
  }
  return url;
}

bool is_http(const std::string& url) {
  std::string head = url.substr(0, 8);
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return head.starts_with("http://") || head.starts_with("https://");
}

}  // namespace

std::vector<std::string> find_links(const std::string& text) {
  static const std::regex attribute(R"((?:href|src)\s*=\s*["']([^"'<>]+)["'])",
                                    std::regex::icase | std::regex::ECMAScript);
  static const std::regex bare(R"(https?://[^\s"'<>]+)",
                               std::regex::icase | std::regex::ECMAScript);
  std::vector<std::pair<std::size_t, std::string>> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), attribute);
       it != std::sregex_iterator(); ++it) {
    found.emplace_back(it->position(1), undo_entities((*it)[1].str()));
  }
  for (auto it = std::sregex_iterator(text.begin(), text.end(), bare); it != std::sregex_iterator();
       ++it) {
    found.emplace_back(it->position(0), undo_entities(it->str()));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> links;
  for (auto& [at, url] : found) {
    if (is_http(url) && std::find(links.begin(), links.end(), url) == links.end()) {
      links.push_back(std::move(url));
    }
  }
  return links;
}

std::string download_name(const std::string& url, const std::string& content_type) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const std::size_t scheme = path.find("://");
  path = scheme == std::string::npos ? path : path.substr(scheme + 3);
  const std::size_t slash = path.find('/');
  std::string name;
  if (slash != std::string::npos) name = path.substr(path.find_last_of('/') + 1);
  if (name.empty()) name = "download." + http_internal::extension_for(content_type);
  return name;
}

}  // namespace links_internal

ComponentSpec download_links_spec() {
  ComponentSpec spec;
  spec.name = kDownloadLinksModule;
  spec.summary = "Downloads the files an HTML or text attachment links to and attaches them.";
  spec.settings = {
      SettingSpec{"pattern",
                  "Only links matching this regular expression (searched anywhere "
                  "in the URL), e.g. \"\\\\.pdf$\".",
                  ".*"}
          .string(),
      SettingSpec{"extensions", "Attachments whose links are followed, by name ending.",
                  nlohmann::json::array({".html", ".htm", ".txt"})}
          .string_list(),
      SettingSpec{"allowed_hosts",
                  "Hosts links may point to (\"*.example.com\" for subdomains); empty: any "
                  "public host.",
                  nlohmann::json::array()}
          .string_list(),
      SettingSpec{"allow_private",
                  "Also download from this host's own and private network addresses (loopback, "
                  "10/8, 192.168/16, ...). Root's decision.",
                  false, false, false, HostAccess::network}
          .boolean(),
      SettingSpec{"max_bytes", "Largest file downloaded; a larger one fails the step.",
                  10 * 1024 * 1024}
          .integer(1),
      SettingSpec{"max_links", "Links downloaded per passenger, at most.", 20}.integer(1, 1000),
      SettingSpec{"timeout_seconds", "Seconds one download may take.", 30}.number_above(0),
  };
  return spec;
}

void register_download_links(Registry& registry) {
  registry.add_processor(download_links_spec(),
                         [](const ComponentEnv& env) -> std::unique_ptr<Processor> {
                           return std::make_unique<DownloadLinks>(env);
                         });
}

DownloadLinks::DownloadLinks(const ComponentEnv& env)
    : module_(env.module.empty() ? kDownloadLinksModule : env.module),
      extensions_(cs::normal_extensions(
          env, "extensions", cs::string_list(env, "extensions", {".html", ".htm", ".txt"}))),
      max_links_(static_cast<std::size_t>(cs::integer(env, "max_links", 20, 1))) {
  const std::string text = di::string_setting(env, "pattern", ".*");
  try {
    pattern_ = std::regex(text, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    throw ConfigError(cs::where(env), "pattern", "is not a regular expression");
  }
  endpoint_.max_response_bytes =
      static_cast<std::size_t>(cs::integer(env, "max_bytes", 10 * 1024 * 1024, 1));
  endpoint_.timeout = std::chrono::milliseconds(
      static_cast<long long>(cs::number(env, "timeout_seconds", 30, 0.001) * 1000));
  endpoint_.policy.allowed_hosts = cs::string_list(env, "allowed_hosts", {});
  endpoint_.policy.allow_private = di::bool_setting(env, "allow_private", false);
}

void DownloadLinks::process(DriveContext& ctx, QueueEntry& entry) {
  Passenger& p = entry.passenger;
  std::vector<std::string> links;
  for (const Attachment& a : p.attachments) {
    if (a.format != AttachmentFormat::text || !cs::has_extension(a.name, extensions_)) continue;
    // A spooled one is read whole, up to kWholeContentLimit (else refused).
    const std::string spooled =
        a.spool != nullptr ? read_content(a, kWholeContentLimit, p.describe()) : std::string();
    for (std::string& url : links_internal::find_links(a.spool != nullptr ? spooled : a.content)) {
      if (std::regex_search(url, pattern_) &&
          std::find(links.begin(), links.end(), url) == links.end()) {
        links.push_back(std::move(url));
      }
    }
  }
  if (links.size() > max_links_) {
    ctx.log().warning(module_, "Passenger " + p.describe() + " links to " +
                                   std::to_string(links.size()) + " files; the first " +
                                   std::to_string(max_links_) + " downloaded (max_links)");
    links.resize(max_links_);
  }
  std::vector<Attachment> downloads;
  for (const std::string& url : links) {
    const HttpResponse response = send_http(endpoint_, "GET", url);
    check_http_success(endpoint_, "GET", url, response);
    const bool text =
        di::is_text(response.body) && (response.content_type.starts_with("text/") ||
                                       response.content_type.find("json") != std::string::npos ||
                                       response.content_type.find("xml") != std::string::npos);
    downloads.push_back(Attachment{links_internal::download_name(url, response.content_type),
                                   text ? AttachmentFormat::text : AttachmentFormat::binary,
                                   response.body});
  }
  // Added only once every download succeeded: a failure leaves the passenger as it was.
  for (Attachment& a : downloads) {
    const std::string name = p.add_attachment(std::move(a));
    ctx.log().info(module_, "Downloaded " + name + " for passenger " + p.describe());
  }
}

}  // namespace databus
