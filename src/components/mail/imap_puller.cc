#include "components/mail/imap_puller.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "components/directory/directory_components.h"
#include "components/peek.h"
#include "components/settings.h"
#include "databus/error.h"
#include "registry/secrets.h"

namespace databus {

namespace cs = component_settings;
namespace di = directory_internal;

namespace {

// The `size` UIDs of `uids` from index `at` on (fewer at the end).
std::vector<std::uint32_t> chunk_at(const std::vector<std::uint32_t>& uids, std::size_t at,
                                    std::int64_t size) {
  const std::size_t end = std::min(uids.size(), at + static_cast<std::size_t>(size));
  return {uids.begin() + static_cast<std::ptrdiff_t>(at),
          uids.begin() + static_cast<std::ptrdiff_t>(end)};
}

}  // namespace

namespace imap_internal {

std::string flag_search_key(const std::string& flag) {
  static const std::pair<const char*, const char*> system[] = {
      {"\\seen", "SEEN"},
      {"\\answered", "ANSWERED"},
      {"\\flagged", "FLAGGED"},
      {"\\draft", "DRAFT"},
  };
  std::string lower = flag;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [name, key] : system) {
    if (lower == name) return key;
  }
  // A keyword is an IMAP atom: no specials, no controls, no backslash.
  const bool atom = !flag.empty() && std::all_of(flag.begin(), flag.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && std::string_view("(){%*\"\\]").find(c) == std::string::npos;
  });
  if (!atom) {
    throw Error("'" + flag +
                "' is not a flag that can be set: use \\Seen, \\Answered, "
                "\\Flagged, \\Draft or a keyword such as $Databus");
  }
  return "KEYWORD " + flag;
}

}  // namespace imap_internal

ComponentSpec email_passenger_spec() {
  return ComponentSpec{kEmailPassengerModule,
                       "An e-mail: Message-ID as external id; the MIME parts, _body.txt, "
                       "_body.html and _headers.json as attachments.",
                       {},
                       {}};
}

ComponentSpec imap_puller_spec() {
  ComponentSpec spec;
  spec.name = kImapPullerModule;
  spec.summary =
      "Pulls each message of an IMAP folder as an e-mail passenger; moves or flags it "
      "once queued.";
  spec.settings = mail_endpoint_settings(MailProtocol::imap);
  spec.settings.push_back(
      SettingSpec{"folder",
                  "Folder to read (ASCII names; a subfolder as the server writes it, e.g. "
                  "\"INBOX.orders\").",
                  "INBOX"}
          .string());
  spec.settings.push_back(SettingSpec{"done_folder",
                                      "Folder a message is moved to once queued (created when "
                                      "missing). Set this or flag.",
                                      ""}
                              .string());
  spec.settings.push_back(
      SettingSpec{"flag",
                  "Flag set on a message once queued instead of moving it, e.g. \"$Databus\" or "
                  "\"\\\\Seen\"; flagged messages are not pulled again. A keyword is safer "
                  "than \\Seen, which a person reading the mailbox may set.",
                  ""}
          .string());
  spec.settings.push_back(
      SettingSpec{"max_messages", "Most messages pulled in one drive (the oldest first).", 100}
          .integer(1));
  spec.settings.push_back(
      SettingSpec{"chunk_messages",
                  "Messages fetched together and handed to the drive before the next ones are "
                  "fetched: at most these are held in memory.",
                  50}
          .integer(1));
  spec.settings.push_back(
      SettingSpec{"source_system", "Source system name given to the passengers.", "imap"}.string());
  return spec;
}

ImapPuller::ImapPuller(const ComponentEnv& env)
    : module_(env.module.empty() ? kImapPullerModule : env.module),
      folder_(di::string_setting(env, "folder", "INBOX")),
      done_folder_(di::string_setting(env, "done_folder", "")),
      flag_(di::string_setting(env, "flag", "")),
      max_messages_(cs::integer(env, "max_messages", 100, 1)),
      chunk_messages_(cs::integer(env, "chunk_messages", 50, 1)),
      source_system_(di::string_setting(env, "source_system", "imap")) {
  session_ = std::make_unique<ImapSession>(read_mail_endpoint(env, MailProtocol::imap));
  // Folder names go into IMAP commands: one line each.
  const auto one_line = [&env](const char* key, const std::string& value) {
    if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
      throw ConfigError(cs::where(env), key, "must not hold line breaks");
    }
  };
  one_line("folder", folder_);
  one_line("done_folder", done_folder_);
  if (folder_.empty()) throw ConfigError(cs::where(env), "folder", "must not be empty");
  if (done_folder_.empty() == flag_.empty()) {
    throw ConfigError(cs::where(env), "done_folder",
                      "set either done_folder or flag: otherwise every message would be pulled "
                      "again forever");
  }
  if (!done_folder_.empty() && done_folder_ == folder_) {
    throw ConfigError(cs::where(env), "done_folder", "must not be the folder that is read");
  }
  if (!flag_.empty()) {
    try {
      imap_internal::flag_search_key(flag_);
    } catch (const Error& e) {
      throw ConfigError(cs::where(env), "flag", e.what());
    }
  }
}

ImapPuller::~ImapPuller() = default;

std::string ImapPuller::describe_folder() const {
  return redact(session_->endpoint().base_url() + "/" + folder_, session_->endpoint().secrets);
}

std::string ImapPuller::waiting_criteria() const {
  if (flag_.empty()) return "UNDELETED";
  return "UNDELETED NOT " + imap_internal::flag_search_key(flag_);
}

std::map<std::uint32_t, EmailContent> ImapPuller::fetch(DriveContext& ctx,
                                                        const std::vector<std::uint32_t>& uids) {
  std::map<std::uint32_t, EmailContent> out;
  if (uids.empty()) return out;
  const std::string of_these = "UID " + imap_internal::uid_set(uids);
  const std::vector<std::uint32_t> unseen = session_->search(folder_, of_these + " UNSEEN");
  std::vector<std::uint32_t> fetched_unseen;
  try {
    for (std::uint32_t uid : uids) {
      if (ctx.stop_requested()) break;
      // Counted before the fetch: a failed fetch may still have set \Seen.
      if (std::binary_search(unseen.begin(), unseen.end(), uid)) fetched_unseen.push_back(uid);
      std::string raw = session_->fetch(folder_, uid);
      try {
        out.emplace(uid, read_email(raw));
      } catch (const std::exception& e) {
        ctx.log().error(module_, "message " + std::to_string(uid) + " of " + describe_folder() +
                                     " skipped: " + e.what());
      }
    }
  } catch (...) {
    try {
      session_->store(folder_, fetched_unseen, "-FLAGS.SILENT (\\Seen)");
    } catch (...) {
      // The fetch's error is the one worth reporting.
    }
    throw;
  }
  session_->store(folder_, fetched_unseen, "-FLAGS.SILENT (\\Seen)");
  return out;
}

void ImapPuller::pull_into(DriveContext& ctx, PassengerSink& sink) {
  std::vector<std::uint32_t> uids = session_->search(folder_, waiting_criteria());
  if (uids.size() > static_cast<std::size_t>(max_messages_)) uids.resize(max_messages_);
  std::set<std::string> handed;  // External ids handed over by this pull.
  const auto wanted = [&] { return !ctx.stop_requested() && !sink.done(); };
  for (std::size_t at = 0; at < uids.size() && wanted();
       at += static_cast<std::size_t>(chunk_messages_)) {
    const std::vector<std::uint32_t> span = chunk_at(uids, at, chunk_messages_);
    // Asked again: notify() (from put()) or someone else may have retired
    // some of them since the first search.
    const std::vector<std::uint32_t> waiting =
        session_->search(folder_, "UID " + imap_internal::uid_set(span) + " " + waiting_criteria());
    // Fetched whole and \Seen put back before any is handed over, so that
    // notify() may then use the session and set a flag of its own.
    std::map<std::uint32_t, EmailContent> chunk = fetch(ctx, waiting);
    for (auto& [uid, email] : chunk) {
      if (!wanted()) break;
      std::vector<std::uint32_t>& same = uids_by_id_[email.external_id];
      if (std::find(same.begin(), same.end(), uid) == same.end()) same.push_back(uid);
      if (!handed.insert(email.external_id).second) {
        // A second copy of a message: one passenger. When the first copy
        // was notified meanwhile, this one is retired as notify() would have.
        if (same.size() == 1) {
          retire(ctx, same);
          uids_by_id_.erase(email.external_id);
        }
        continue;
      }
      Passenger p = ctx.new_passenger(email.external_id, source_system_, module_);
      for (Attachment& a : email.attachments) p.add_attachment(std::move(a));
      sink.put(std::move(p));
    }
  }
  ctx.log().info(module_,
                 "Got " + std::to_string(handed.size()) + " message(s) from " + describe_folder());
}

std::vector<Passenger> ImapPuller::peek(DriveContext& ctx) { return peek_first(*this, ctx); }

void ImapPuller::retire(DriveContext& ctx, const std::vector<std::uint32_t>& uids) {
  if (done_folder_.empty()) {
    session_->store(folder_, uids, "+FLAGS.SILENT (" + flag_ + ")");
    ctx.log().info(module_, "Flagged " + std::to_string(uids.size()) + " message(s) of " +
                                describe_folder() + " " + flag_);
  } else {
    session_->ensure_folder(done_folder_);
    session_->move(folder_, uids, done_folder_, session_->has_capability("MOVE"));
    ctx.log().info(module_, "Moved " + std::to_string(uids.size()) + " message(s) of " +
                                describe_folder() + " to " + done_folder_);
  }
}

void ImapPuller::notify(DriveContext& ctx, const std::vector<Passenger>& seated) {
  std::set<std::string> wanted;
  bool all_known = true;
  for (const Passenger& p : seated) {
    wanted.insert(p.external_id);
    if (!uids_by_id_.contains(p.external_id)) all_known = false;
  }
  if (!all_known) {
    // Pulled by an earlier drive (e.g. before a crash): find them again.
    const std::vector<std::uint32_t> all = session_->search(folder_, waiting_criteria());
    std::set<std::uint32_t> known;
    for (const auto& [id, uids] : uids_by_id_) known.insert(uids.begin(), uids.end());
    std::vector<std::uint32_t> unknown;
    for (std::uint32_t uid : all) {
      if (!known.contains(uid)) unknown.push_back(uid);
    }
    // A chunk at a time, keeping only the UIDs of the wanted ids: a folder
    // of any size is searched in bounded memory.
    for (std::size_t at = 0; at < unknown.size(); at += static_cast<std::size_t>(chunk_messages_)) {
      for (auto& [uid, email] : fetch(ctx, chunk_at(unknown, at, chunk_messages_))) {
        if (wanted.contains(email.external_id)) uids_by_id_[email.external_id].push_back(uid);
      }
    }
  }
  std::vector<std::uint32_t> retired;
  for (const std::string& id : wanted) {
    const auto it = uids_by_id_.find(id);
    if (it != uids_by_id_.end())
      retired.insert(retired.end(), it->second.begin(), it->second.end());
  }
  std::sort(retired.begin(), retired.end());
  if (retired.empty()) return;  // Already retired.
  retire(ctx, retired);
  for (const std::string& id : wanted) uids_by_id_.erase(id);
}

}  // namespace databus
