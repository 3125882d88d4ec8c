// One IMAP connection (libcurl) and the few commands the IMAP puller needs.
// The connection opens at the first command and is reused until the session
// is destroyed (which logs out). Folder names are ASCII, as IMAP sends them
// (non-ASCII names need IMAP's modified UTF-7, which is not done here).
//
// Every method throws Error naming the command, the server URL and the
// folder, with libcurl's reason and the server's last answer, secrets
// replaced by "***". Not thread-safe: one session per drive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "components/mail/mail_endpoint.h"

namespace databus {

class ImapSession {
 public:
  explicit ImapSession(MailEndpoint endpoint);  // No I/O yet.
  ~ImapSession();
  ImapSession(const ImapSession&) = delete;
  ImapSession& operator=(const ImapSession&) = delete;

  const MailEndpoint& endpoint() const { return endpoint_; }

  // UIDs of the messages of `folder` matching the IMAP search `criteria`
  // (e.g. "UNDELETED"), ascending.
  std::vector<std::uint32_t> search(const std::string& folder, const std::string& criteria);

  // The whole message `uid` of `folder`, as stored. Like any IMAP fetch of
  // the body, it sets \Seen on the message.
  std::string fetch(const std::string& folder, std::uint32_t uid);

  // UID STORE of `change` (e.g. "+FLAGS.SILENT (\\Seen)") on `uids`; none:
  // nothing is sent.
  void store(const std::string& folder, const std::vector<std::uint32_t>& uids,
             const std::string& change);

  // Moves `uids` of `folder` into `target`: UID MOVE when `use_move`, else
  // UID COPY, \Deleted and (UID) EXPUNGE. UIDs no longer there are ignored
  // by the server, so a repeated move is harmless.
  void move(const std::string& folder, const std::vector<std::uint32_t>& uids,
            const std::string& target, bool use_move);

  // Creates `folder` unless it exists.
  void ensure_folder(const std::string& folder);

  // The server's capabilities after login, upper case (e.g. "MOVE").
  const std::vector<std::string>& capabilities();
  bool has_capability(const std::string& name);

  // Adds `message` (raw RFC 5322 bytes) to `folder`, which must exist;
  // libcurl marks it \Seen.
  void append(const std::string& folder, const std::string& message);

 private:
  struct Handle;
  // Runs `command` (empty: a plain fetch of `url`) and returns the untagged
  // responses or the fetched body.
  std::string perform(const std::string& url, const std::string& command, const std::string& what,
                      const std::string* upload = nullptr);
  std::string folder_url(const std::string& folder) const;

  MailEndpoint endpoint_;
  std::unique_ptr<Handle> handle_;
  std::vector<std::string> capabilities_;
  bool have_capabilities_ = false;
};

namespace imap_internal {

// `text` as an IMAP quoted string. Throws Error for CR, LF or NUL.
std::string quoted(const std::string& text);

// "1,5,7" for {1, 5, 7}.
std::string uid_set(const std::vector<std::uint32_t>& uids);

// The numbers of every "* SEARCH ..." line of `responses`.
std::vector<std::uint32_t> parse_search(const std::string& responses);

}  // namespace imap_internal

}  // namespace databus
