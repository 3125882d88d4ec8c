#include "components/mail/imap_session.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "databus/error.h"
#include "registry/secrets.h"

namespace databus {

namespace {

size_t append_to(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

namespace imap_internal {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') {
      throw Error("an IMAP folder name may not hold line breaks or NUL bytes");
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string uid_set(const std::vector<std::uint32_t>& uids) {
  std::string out;
  for (std::uint32_t uid : uids) {
    if (!out.empty()) out += ',';
    out += std::to_string(uid);
  }
  return out;
}

std::vector<std::uint32_t> parse_search(const std::string& responses) {
  std::vector<std::uint32_t> out;
  std::istringstream lines(responses);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string star, keyword, word;
    if (!(words >> star >> keyword) || star != "*" || upper(keyword) != "SEARCH") continue;
    while (words >> word) {
      if (word.empty() || !std::all_of(word.begin(), word.end(), ::isdigit)) break;
      out.push_back(static_cast<std::uint32_t>(std::stoul(word)));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace imap_internal

struct ImapSession::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);  // Logs out.
  }
};

ImapSession::ImapSession(MailEndpoint endpoint)
    : endpoint_(std::move(endpoint)), handle_(std::make_unique<Handle>()) {}

ImapSession::~ImapSession() = default;

std::string ImapSession::folder_url(const std::string& folder) const {
  std::string url = endpoint_.base_url() + "/";
  char* escaped = curl_easy_escape(nullptr, folder.data(), static_cast<int>(folder.size()));
  if (escaped == nullptr) throw Error("out of memory escaping an IMAP folder name");
  url += escaped;
  curl_free(escaped);
  return url;
}

std::string ImapSession::perform(const std::string& url, const std::string& command,
                                 const std::string& what, const std::string* upload) {
  if (handle_->curl == nullptr) {
    handle_->curl = curl_easy_init();
    if (handle_->curl == nullptr) throw Error("cannot create a libcurl handle for IMAP");
    apply_mail_endpoint(handle_->curl, endpoint_);
  }
  CURL* h = handle_->curl;
  std::string body;
  std::string last_line;
  char error_text[CURL_ERROR_SIZE] = {0};
  MailUpload source{upload};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, command.empty() ? nullptr : command.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_to);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, keep_last_mail_line);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &last_line);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_text);
  if (upload != nullptr) {
    set_mail_upload(h, source);
  } else {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
  }
  const CURLcode code = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) {
    std::string message = "IMAP " + what + " on " + url + " failed: " +
                          (error_text[0] != 0 ? error_text : curl_easy_strerror(code));
    // The server's answer, without the command tag.
    const std::size_t space = last_line.find(' ');
    if (!last_line.empty() && space != std::string::npos && last_line[0] != '*') {
      message += "; the server said: " + last_line.substr(space + 1);
    }
    throw Error(redact(message, endpoint_.secrets));
  }
  return body;
}

std::vector<std::uint32_t> ImapSession::search(const std::string& folder,
                                               const std::string& criteria) {
  return imap_internal::parse_search(
      perform(folder_url(folder), "UID SEARCH " + criteria, "search " + criteria));
}

std::string ImapSession::fetch(const std::string& folder, std::uint32_t uid) {
  return perform(folder_url(folder) + "/;UID=" + std::to_string(uid), "",
                 "fetch of message " + std::to_string(uid));
}

void ImapSession::store(const std::string& folder, const std::vector<std::uint32_t>& uids,
                        const std::string& change) {
  if (uids.empty()) return;
  perform(folder_url(folder), "UID STORE " + imap_internal::uid_set(uids) + " " + change,
          "flag change " + change);
}

void ImapSession::move(const std::string& folder, const std::vector<std::uint32_t>& uids,
                       const std::string& target, bool use_move) {
  if (uids.empty()) return;
  const std::string set = imap_internal::uid_set(uids);
  const std::string to = imap_internal::quoted(target);
  if (use_move) {
    perform(folder_url(folder), "UID MOVE " + set + " " + to, "move to " + target);
    return;
  }
  // No MOVE: copy, then delete. A crash in between leaves a copy behind,
  // which at-least-once allows; \Deleted messages are not pulled again.
  perform(folder_url(folder), "UID COPY " + set + " " + to, "copy to " + target);
  store(folder, uids, "+FLAGS.SILENT (\\Deleted)");
  if (has_capability("UIDPLUS")) {
    perform(folder_url(folder), "UID EXPUNGE " + set, "expunge");
  } else {
    perform(folder_url(folder), "EXPUNGE", "expunge");
  }
}

void ImapSession::ensure_folder(const std::string& folder) {
  const std::string name = imap_internal::quoted(folder);
  const std::string listed =
      perform(endpoint_.base_url() + "/", "LIST \"\" " + name, "list of " + folder);
  if (listed.find("* LIST") != std::string::npos) return;
  perform(endpoint_.base_url() + "/", "CREATE " + name, "creation of folder " + folder);
}

const std::vector<std::string>& ImapSession::capabilities() {
  if (!have_capabilities_) {
    std::istringstream words(perform(endpoint_.base_url() + "/", "CAPABILITY", "capability"));
    std::string word;
    while (words >> word) {
      if (word != "*" && upper(word) != "CAPABILITY") capabilities_.push_back(upper(word));
    }
    have_capabilities_ = true;
  }
  return capabilities_;
}

bool ImapSession::has_capability(const std::string& name) {
  const std::vector<std::string>& all = capabilities();
  return std::find(all.begin(), all.end(), upper(name)) != all.end();
}

void ImapSession::append(const std::string& folder, const std::string& message) {
  perform(folder_url(folder), "", "append", &message);
}

}  // namespace databus
